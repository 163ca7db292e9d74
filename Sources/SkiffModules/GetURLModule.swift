import OrderedCollections
import SkiffCore

/// `get_url`: downloads a file on the host with curl (or wget when curl is missing) to a temporary name
/// beside `dest` (random, created exclusively and private: see `StagedWrite`; its mode set through the
/// open file, never a path), checks `checksum` (`sha256:…`) when given, and moves it into place only when its content
/// differs from what is there. As Ansible, an existing `dest` is not downloaded again unless `force: true`
/// or a given checksum does not match it.
public enum GetURLModule {
    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
        let url = try arguments.required("url")
        let dest = try arguments.required("dest")
        let mode = try arguments.mode()
        let timeout = arguments.int("timeout") ?? 10
        var expected = ""
        if let checksum = arguments.string("checksum"), !checksum.isEmpty {
            let parts = checksum.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "sha256" else {
                throw ModuleError("get_url: checksum must be sha256:HEX (other algorithms are not supported)")
            }
            expected = parts[1].lowercased()
        }
        let headers = try HTTPHeaders.lines(arguments)
        let curl = ["curl", "-fsSL", "--max-time", String(timeout)] + (headers != nil ? HTTPHeaders.curlArguments : [])
        let wget = ["wget"] + (headers != nil ? HTTPHeaders.wgetArguments : []) + ["-q", "--timeout=\(timeout)", "-O", "-"]
        /// The download, written to stdout, which is the temporary file.
        func words(_ argv: [String]) -> String {
            let command = ShellQuote.join(argv + [url])
            return (headers == nil ? command : HTTPHeaders.feeding(command, wgetrc: argv[0] == "wget")) + " >&3"
        }
        let d = ShellQuote.quote(dest)
        let force = arguments.bool("force")
        // Prints "ok SHA" or "changed SHA" (or "would-change" under --check); a failure exits non-zero.
        let script = """
            dest=\(d); expected=\(ShellQuote.quote(expected))
            if [ -f "$dest" ]; then current=$(sha256sum -- "$dest" | cut -d' ' -f1); else current=; fi
            keep=0
            if [ -n "$current" ]; then
                if [ -n "$expected" ]; then [ "$current" = "$expected" ] && keep=1
                elif [ \(force ? "1" : "0") = 0 ]; then keep=1; fi
            fi
            if [ $keep = 1 ]; then echo "ok $current"; exit 0; fi
            \(arguments.checkMode ? "echo would-change; exit 0" : ":")
            tmp=\(ShellQuote.quote(StagedWrite.temporaryName(for: dest))); um=$(umask); umask 077; set -C
            exec 3>"$tmp" || exit 1
            trap 'rm -f -- "$tmp"' EXIT
            if command -v curl >/dev/null 2>&1; then \(words(curl)) || exit 4
            elif command -v wget >/dev/null 2>&1; then \(words(wget)) || exit 4
            else echo "get_url needs curl or wget on the host" >&2; exit 127; fi
            new=$(sha256sum /proc/self/fd/3 | cut -d' ' -f1)
            if [ -n "$expected" ] && [ "$new" != "$expected" ]; then
                echo "The checksum for $dest did not match $expected; it was $new." >&2; exit 3
            fi
            if [ "$new" = "$current" ]; then echo "ok $new"; exit 0; fi
            \(mode.map { "chmod \(String($0, radix: 8)) /proc/self/fd/3" } ?? "if [ -n \"$current\" ]; then chmod --reference=\"$dest\" /proc/self/fd/3; else chmod \"$(printf '%o' $(( 0666 & ~um )))\" /proc/self/fd/3; fi") && exec 3>&- && mv -f -- "$tmp" "$dest" && echo "changed $new"
            """
        let fields: OrderedDictionary<String, Value> = ["url": .string(url), "dest": .string(dest)]
        let ownership = FileModule.ownershipChecks(arguments, quotedPath: d)
        let environment: OrderedDictionary<String, String> = headers.map { [HTTPHeaders.variable: $0] } ?? [:]
        return ModulePlan(.run(RemoteStep(.shell(script), environment: environment)) { result in
            guard result.succeeded else {
                let reason = result.exitStatus == 4 ? "Request failed: \(url)" : "get_url failed"
                return .finish(ModuleOutcome(failed: true, message: "\(reason): \(result.stderrText.trimmingTrailingNewlines)", result: fields))
            }
            let words = result.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            var checked = fields
            if words.count > 1 { checked["checksum_dest"] = .string(words[1]) }
            let withChecksum = checked
            let changed = words.first == "changed" || words.first == "would-change"
            guard !ownership.isEmpty, !arguments.checkMode else { return .finish(ModuleOutcome(changed: changed, result: withChecksum)) }
            return .run(RemoteStep(.shell(ownership.joined(separator: "\n")))) { owned in
                .finish(ModuleOutcome(changed: changed || owned.stdoutText.contains("changed"), failed: !owned.succeeded,
                                      message: owned.succeeded ? nil : owned.stderrText.trimmingTrailingNewlines, result: withChecksum))
            }
        })
    }
}

extension GetURLModule: Module {
    public static let names = ModuleNames.builtin("get_url")
    public static let arguments = ArgumentSpec([
        .string("url", required: true), .string("dest", required: true), .raw("mode"), .string("checksum"), .bool("force"),
        .int("timeout"), .dict("headers"), .string("owner"), .string("group"),
    ])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan { try plan(arguments) }
}
