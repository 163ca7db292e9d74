import OrderedCollections
import SkiffCore

/// `deb822_repository`: `/etc/apt/sources.list.d/NAME.sources` written as ansible-core writes it — one
/// `Field: value` line per given argument, in the arguments' alphabetical order (`X-Repolib-Name`, `Types`,
/// `URIs`, `Suites`, `Components`, `Signed-By`, …; booleans `yes`/`no`, lists space-separated, text of
/// several lines indented with `.` for empty lines) — only when its content or `mode` (0644) differs.
/// `signed_by` is a key file on the host (used as it is), a URL (downloaded on the host with curl or wget
/// to `/etc/apt/keyrings/NAME.asc`, or `.gpg` when it is not ASCII-armored, rewritten only when it
/// differs), or inline key text or fingerprints (written into the file). `absent` removes the file and
/// the downloaded key. An existing file named as older versions did (`name` lower-cased, `_` and blanks
/// made `-`, other characters dropped) keeps that name. It does not update apt's cache (use `apt` with
/// `update_cache`). `--check` only downloads and compares. Returns `repo`, `dest`, `key_filename`.
public enum Deb822RepositoryModule: Module {
    public static let names = ModuleNames.builtin("deb822_repository")
    static let booleans = ["allow_downgrade_to_insecure", "allow_insecure", "allow_weak", "by_hash", "check_date",
                           "check_valid_until", "enabled", "pdiffs", "trusted"]
    static let lists = ["architectures", "components", "exclude", "include", "languages", "suites", "targets", "types", "uris"]
    public static let arguments = ArgumentSpec(
        booleans.map { .bool($0) } + lists.filter { $0 != "types" }.map { .list($0) } + [
            .list("types"), .int("date_max_future"), .string("inrelease_path"), .string("name", required: true),
            .string("signed_by"), .raw("mode"), .string("state", choices: ["absent", "present"], default: "present"),
            .bool("install_python_debian"),
        ], mutuallyExclusive: [["exclude", "include"]])
    public static let supportsCheckMode = true

    static let keyrings = "/etc/apt/keyrings"
    static let missing = "__skiff_missing__"

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let name = try arguments.required("name")
        let state = arguments.string("state") ?? "present"
        let mode = try arguments.mode() ?? 0o644
        let types = arguments.values["types"] == nil ? ["deb"] : arguments.list("types")
        if let bad = types.first(where: { $0 != "deb" && $0 != "deb-src" }) {
            throw ModuleError("deb822_repository: types must be deb or deb-src, not '\(bad)'")
        }
        let slug = name.replacingAll(" ", with: "-")
        guard !slug.isEmpty, !slug.contains("/"), slug != ".", slug != ".." else {
            throw ModuleError("deb822_repository: name '\(name)' cannot name a file in /etc/apt/sources.list.d")
        }
        let legacy = legacySlug(name)
        let signedBy = arguments.string("signed_by")
        let isURL = signedBy.map(hasScheme) ?? false
        let maybePath = signedBy.map { !isURL && !$0.contains("\n") } ?? false
        // Prints whether a file of the old name exists, then whether signed_by names a file on the host.
        let probe = RemoteStep(.argv(["sh", "-c", #"[ -n "$1" ] && [ -e "$1" ] && echo legacy || echo new; [ -n "$2" ] && [ -f "$2" ] && echo file || echo text"#,
                                      "sh", legacy.isEmpty ? "" : sourcesPath(legacy), maybePath ? (signedBy ?? "") : ""]))
        return ModulePlan(.run(probe) { probed in
            let words = probed.stdoutText.split(separator: "\n").map(String.init)
            let chosen = words.first == "legacy" ? legacy : slug
            let dest = sourcesPath(chosen)
            let fields: OrderedDictionary<String, Value> = ["dest": .string(dest)]
            if state == "absent" { return absent(dest: dest, slug: chosen, arguments, fields) }
            let keyIsFile = words.count > 1 && words[1] == "file"
            let withKey: @Sendable (String?, Bool) -> ModuleProgram = { keyFile, keyChanged in
                let content = render(arguments, types: types, signedBy: keyFile ?? signedBy)
                var result = fields
                result["repo"] = .string(content)
                result["key_filename"] = keyFile.map(Value.string) ?? .null
                return writeSources(content, to: dest, mode: mode, keyChanged: keyChanged, arguments, result)
            }
            guard let signedBy, isURL, !keyIsFile else { return withKey(keyIsFile ? signedBy : nil, false) }
            return .run(RemoteStep(.shell(downloadScript(url: signedBy, base: "\(keyrings)/\(chosen)", check: arguments.checkMode)))) { fetched in
                let lines = fetched.stdoutText.split(separator: "\n").map(String.init)
                guard fetched.succeeded, lines.count == 2 else {
                    return .finish(ModuleOutcome(failed: true, message: "Could not fetch signed_by key: \(fetched.stderrText.trimmingTrailingNewlines)", result: fields))
                }
                return withKey(lines[0], lines[1] == "changed")
            }
        })
    }

    static func sourcesPath(_ slug: String) -> String { "/etc/apt/sources.list.d/\(slug).sources" }

    /// The name older versions gave the file: lower case, runs of `_` and blanks made `-`, other
    /// characters than a-z, 0-9 and `-` dropped.
    static func legacySlug(_ name: String) -> String {
        name.lowercased().replacing(#/[_\s]+/#, with: "-").replacing(#/[^a-z0-9-]+/#, with: "")
    }

    /// Whether the text begins with a URL scheme (`https:`, `file:`), as a URL parser reads it.
    static func hasScheme(_ text: String) -> Bool { text.firstMatch(of: #/^[A-Za-z][A-Za-z0-9+.\-]*:/#) != nil }

    /// The `.sources` file, fields in the arguments' alphabetical order, as ansible-core writes them.
    static func render(_ arguments: ModuleArguments, types: [String], signedBy: String?) -> String {
        var fields: [(String, String)] = []
        let given = Set(arguments.values.keys).union(["types"])
        for key in (booleans + lists + ["date_max_future", "inrelease_path", "name", "signed_by"]).sorted() where given.contains(key) {
            let value: String
            if booleans.contains(key) {
                value = arguments.bool(key) ? "yes" : "no"
            } else if key == "types" {
                value = types.joined(separator: " ")
            } else if lists.contains(key) {
                value = arguments.list(key).joined(separator: " ")
            } else if key == "signed_by" {
                guard let signedBy else { continue }
                value = signedBy
            } else {
                guard let text = arguments.string(key) else { continue }
                value = text
            }
            fields.append((fieldName(key), value))
        }
        return fields.map { name, value in
            guard value.contains("\n") else { return "\(name): \(value)\n" }
            let lines = value.trimmingCharacters(in: "\n\r \t").split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            return "\(name):\n" + lines.map { line in
                let stripped = line.trimmingCharacters(in: " \t\r")
                return "    " + (stripped.isEmpty ? "." : stripped)
            }.joined(separator: "\n") + "\n"
        }.joined()
    }

    static func fieldName(_ key: String) -> String {
        switch key {
        case "name": return "X-Repolib-Name"
        case "uris": return "URIs"
        default: return key.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: "-")
        }
    }

    /// Writes the file when its content or mode differs.
    static func writeSources(_ content: String, to dest: String, mode: UInt32, keyChanged: Bool, _ arguments: ModuleArguments,
                             _ fields: OrderedDictionary<String, Value>) -> ModuleProgram {
        let q = ShellQuote.quote(dest)
        return .run(RemoteStep(.shell("if [ -f \(q) ]; then stat -c %a -- \(q) && cat -- \(q); else echo \(missing); fi"))) { read in
            guard read.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "cannot read \(dest): \(read.stderrText.trimmingTrailingNewlines)", result: fields))
            }
            let output = read.stdoutText
            let exists = !output.hasPrefix(missing)
            let newline = output.firstIndex(of: "\n") ?? output.endIndex
            let currentMode = exists ? UInt32(output[..<newline], radix: 8) : nil
            let current = exists && newline < output.endIndex ? String(output[output.index(after: newline)...]) : ""
            if exists && current == content {
                guard currentMode != mode else { return .finish(ModuleOutcome(changed: keyChanged, result: fields)) }
                if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
                return .run(RemoteStep(.argv(["chmod", String(mode, radix: 8), "--", dest]))) { chmodded in
                    .finish(ModuleOutcome(changed: true, failed: !chmodded.succeeded,
                                          message: chmodded.succeeded ? nil : chmodded.stderrText.trimmingTrailingNewlines, result: fields))
                }
            }
            if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
            return .upload(UploadStep(.bytes(Sensitive(Array(content.utf8))), to: dest, mode: mode)) {
                .finish(ModuleOutcome(changed: true, result: fields))
            }
        }
    }

    /// `absent`: the sources file and a downloaded key, removed when they are there.
    static func absent(dest: String, slug: String, _ arguments: ModuleArguments, _ fields: OrderedDictionary<String, Value>) -> ModuleProgram {
        var result = fields
        result["repo"] = .null
        result["key_filename"] = .string("\(keyrings)/\(slug).gpg")
        let done = result
        let paths = [dest, "\(keyrings)/\(slug).asc", "\(keyrings)/\(slug).gpg"]
        let script = #"for f; do if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done"#
        return .run(RemoteStep(.argv(["sh", "-c", script, "sh"] + paths))) { found in
            let present = found.stdoutText.split(separator: "\n").map(String.init)
            guard !present.isEmpty else { return .finish(ModuleOutcome(result: done)) }
            if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: done)) }
            return .run(RemoteStep(.argv(["rm", "-f", "--"] + present))) { removed in
                .finish(ModuleOutcome(changed: true, failed: !removed.succeeded,
                                      message: removed.succeeded ? nil : removed.stderrText.trimmingTrailingNewlines, result: done))
            }
        }
    }

    /// Downloads the key to a private temporary file; prints the key file's path (`BASE.asc` when the key
    /// is ASCII-armored, else `BASE.gpg`) and `ok` or `changed`; moves it into place (0644, in a 0755
    /// `/etc/apt/keyrings`) only when it differs and not under `--check`.
    static func downloadScript(url: String, base: String, check: Bool) -> String {
        let place = { (dest: String) in
            StagedWrite.script(destination: dest, mode: 0o644, temporary: StagedWrite.temporaryName(for: dest), producer: #"cat -- "$tmp""#)
        }
        return """
            url=\(ShellQuote.quote(url))
            tmp=$(mktemp) || exit 1
            trap 'rm -f -- "$tmp"' EXIT
            if command -v curl >/dev/null 2>&1; then curl -fsSL --max-time 30 -- "$url" > "$tmp" || exit 4
            elif command -v wget >/dev/null 2>&1; then wget -q --timeout=30 -O - -- "$url" > "$tmp" || exit 4
            else echo "deb822_repository needs curl or wget on the host to download signed_by" >&2; exit 127; fi
            [ -s "$tmp" ] || { echo "the key at $url is empty" >&2; exit 4; }
            if grep -q -e '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$tmp"; then armored=1; dest=\(ShellQuote.quote(base + ".asc"))
            else armored=0; dest=\(ShellQuote.quote(base + ".gpg")); fi
            echo "$dest"
            new=$(sha256sum < "$tmp" | cut -d' ' -f1)
            cur=; [ -f "$dest" ] && cur=$(sha256sum < "$dest" | cut -d' ' -f1)
            if [ "$new" = "$cur" ] && [ "$(stat -c %a -- "$dest")" = 644 ]; then echo ok; exit 0; fi
            \(check ? "echo changed; exit 0" : ":")
            [ -d \(keyrings) ] || mkdir -m 0755 -p \(keyrings) || exit 1
            if [ "$new" = "$cur" ]; then chmod 644 -- "$dest" || exit 1
            elif [ $armored = 1 ]; then ( \(place(base + ".asc")) ) || exit 1
            else ( \(place(base + ".gpg")) ) || exit 1; fi
            echo changed
            """
    }
}
