import OrderedCollections
import SkiffCore

/// `apt_key`: an OpenPGP key trusted by apt, or not. Where ansible-core runs `apt-key` and `gpg` (gone
/// from current Debian), Skiff reads and writes the keyring files itself, as Debian now expects: a key
/// is added as its own binary file `/etc/apt/trusted.gpg.d/KEYID.gpg` (KEYID its 16-digit id), or
/// appended to `keyring` (armored when the name ends in `.asc`); it is there when any of
/// `/etc/apt/trusted.gpg` and `trusted.gpg.d/*.gpg|*.asc` (or `keyring`) holds it. With `id` a key that is
/// there is not fetched again; without it the key is fetched (`data`, `file` on the host, `url` or
/// `keyserver` with curl or wget on the host) and compared by fingerprint. `absent` (needs `id`) takes the
/// key out of every keyring file that holds it, removing a file left empty. `validate_certs: false` lets
/// curl or wget accept any certificate. `--check` changes nothing.
/// Returns `id`, `key_id`, `fp` (the 16-digit id), `short_id`, `before` and `after` (the key ids).
public enum AptKeyModule: Module {
    public static let names = ModuleNames.builtin("apt_key")
    public static let arguments = ArgumentSpec([
        .string("id"), .string("url"), .string("data"), .string("file"), .string("keyring"), .string("keyserver"),
        .bool("validate_certs"), .string("state", choices: ["absent", "present"], default: "present"),
    ], mutuallyExclusive: [["data", "file", "keyserver", "url"]], requiredBy: ["keyserver": ["id"]])
    public static let supportsCheckMode = true

    static let trustedParts = "/etc/apt/trusted.gpg.d"

    /// Prints each keyring file as its path, its size, then its bytes: `keyring` alone when given
    /// (`$1` non-empty), else every file apt trusts.
    static let probe = """
        if [ -n "$1" ]; then set -- "$1"; else set -- /etc/apt/trusted.gpg \(trustedParts)/*.gpg \(trustedParts)/*.asc; fi
        for f; do
          [ -f "$f" ] || continue
          case "$f" in *'
        '*) continue ;; esac
          n=$(wc -c < "$f") || exit 1
          printf '%s\\n%s\\n' "$f" "$n"; cat -- "$f"
        done
        """

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let state = arguments.string("state") ?? "present"
        let keyring = arguments.string("keyring")
        let id = try arguments.string("id").map(parseID)
        if state == "absent" && id == nil { throw ModuleError("apt_key: 'id' is required to remove a key") }
        if let keyring, !keyring.hasPrefix("/") { throw ModuleError("apt_key: keyring must be an absolute path, not '\(keyring)'") }
        var fields: OrderedDictionary<String, Value> = [:]
        if let id { fields = identityFields(id, given: arguments.string("id") ?? id) }
        let source = state == "present" ? try fetchStep(arguments, id: id) : nil
        let start = fields
        return ModulePlan(.run(RemoteStep(.argv(["sh", "-c", probe, "sh", keyring ?? ""]))) { probed in
            guard probed.succeeded, let files = KeyringFiles.parse(probed.stdout) else {
                return .finish(ModuleOutcome(failed: true, message: "Unable to list public keys: \(probed.stderrText.trimmingTrailingNewlines)", result: start))
            }
            var listed = start
            let before = files.flatMap(\.keyring.allKeyIDs)
            listed["before"] = .list(before.map(Value.string))
            let result = listed
            if state == "absent", let id {
                return remove(id, from: files, before: before, arguments, result)
            }
            if let id, files.contains(where: { $0.keyring.keys.contains { $0.matches(id) } }) {
                return .finish(ModuleOutcome(result: result))
            }
            if id != nil && arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: result)) }
            let added: @Sendable ([UInt8]) -> ModuleProgram = { bytes in
                add(OpenPGPKeyring(bytes), id: id, to: files, keyring: keyring, before: before, arguments, result)
            }
            guard let source else {
                return added(Array((arguments.string("data") ?? "").utf8))
            }
            return .run(source) { fetched in
                guard fetched.succeeded, !fetched.stdout.isEmpty else {
                    let what = arguments.string("file").map { "from '\($0)'" } ?? "at \(arguments.string("url") ?? arguments.string("keyserver") ?? "")"
                    return .finish(ModuleOutcome(failed: true, message: "Failed to download key \(what): \(fetched.stderrText.trimmingTrailingNewlines)", result: result))
                }
                return added(fetched.stdout)
            }
        })
    }

    /// `id` as ansible-core checks it: hex, 8, 16 or more digits, an optional `0x`; upper case.
    static func parseID(_ text: String) throws -> String {
        var id = text.uppercased()
        if id.hasPrefix("0X") { id = String(id.dropFirst(2)) }
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isHexDigit }), id.count == 8 || id.count >= 16 else {
            throw ModuleError("apt_key: Invalid key_id '\(text)': 8, 16 or more hexadecimal digits")
        }
        return id
    }

    static func identityFields(_ id: String, given: String) -> OrderedDictionary<String, Value> {
        ["id": .string(given), "key_id": .string(id), "fp": .string(String(id.suffix(16))), "short_id": .string(String(id.suffix(8)))]
    }

    /// The command printing the key's bytes: `file` read, `url` or `keyserver` downloaded (nil for `data`).
    static func fetchStep(_ arguments: ModuleArguments, id: String?) throws -> RemoteStep? {
        if let file = arguments.string("file") { return RemoteStep(.argv(["cat", "--", file])) }
        var url = arguments.string("url")
        if let server = arguments.string("keyserver"), let id {
            url = keyserverURL(server, id: id)
        }
        guard let url else {
            guard arguments.string("data") != nil else { throw ModuleError("apt_key: give one of data, file, url or keyserver") }
            return nil
        }
        // validate_certs: false, as in Ansible, accepts any certificate.
        let insecure = !arguments.bool("validate_certs", default: true)
        let script = """
            if command -v curl >/dev/null 2>&1; then exec curl -fsSL\(insecure ? " --insecure" : "") --max-time 30 -- "$1"
            elif command -v wget >/dev/null 2>&1; then exec wget -q\(insecure ? " --no-check-certificate" : "") --timeout=30 -O - -- "$1"
            else echo "apt_key needs curl or wget on the host" >&2; exit 127; fi
            """
        return RemoteStep(.argv(["sh", "-c", script, "sh", url]))
    }

    /// A key server's HKP lookup URL: `hkp://` is HTTP (port 11371 unless given), `hkps://` HTTPS, a bare
    /// name HTTPS.
    static func keyserverURL(_ server: String, id: String) -> String {
        var base = server
        if base.hasPrefix("hkp://") {
            let host = base.dropFirst(6)
            base = "http://" + host + (host.contains(":") ? "" : ":11371")
        } else if base.hasPrefix("hkps://") {
            base = "https://" + base.dropFirst(7)
        } else if !base.contains("://") {
            base = "https://" + base
        }
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/pks/lookup?op=get&options=mr&search=0x\(id)"
    }

    /// Writes the fetched keys apt does not hold yet.
    static func add(_ fetched: OpenPGPKeyring, id: String?, to files: [KeyringFiles.File], keyring: String?, before: [String],
                    _ arguments: ModuleArguments, _ fields: OrderedDictionary<String, Value>) -> ModuleProgram {
        var result = fields
        guard let first = fetched.keys.first, let firstID = first.keyIDs.first else {
            return .finish(ModuleOutcome(failed: true, message: "Unable to extract a key from the \(arguments.string("data") != nil ? "inline data" : "fetched file")", result: result))
        }
        if let id, !fetched.keys.contains(where: { $0.matches(id) }) {
            return .finish(ModuleOutcome(failed: true, message: "the key fetched is not \(id) (check that the id is correct and *not* a subkey)", result: result))
        }
        if id == nil { result.merge(identityFields(firstID, given: firstID), uniquingKeysWith: { _, new in new }) }
        let held = Set(files.flatMap { $0.keyring.keys.compactMap(\.fingerprints.first) })
        let new = fetched.keys.filter { !held.contains($0.fingerprints[0]) }
        guard !new.isEmpty else { return .finish(ModuleOutcome(result: result)) }
        result["after"] = .list((before + new.flatMap(\.keyIDs)).map(Value.string))
        if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: result)) }
        var writes: [(String, [UInt8])] = []
        if let keyring {
            let existing = files.first { $0.path == keyring }?.keyring.keys ?? []
            let combined = OpenPGPKeyring(keys: existing + new)
            writes.append((keyring, keyring.hasSuffix(".asc") ? Array(combined.armored.utf8) : combined.binary))
        } else {
            writes = new.map { ("\(trustedParts)/\($0.keyIDs[0]).gpg", $0.packets) }
        }
        let done = result
        return upload(writes) { .finish(ModuleOutcome(changed: true, result: done)) }
    }

    /// Takes the key out of every file holding it; a file left without keys is removed.
    static func remove(_ id: String, from files: [KeyringFiles.File], before: [String], _ arguments: ModuleArguments,
                       _ fields: OrderedDictionary<String, Value>) -> ModuleProgram {
        var writes: [(String, [UInt8])] = []
        var removals: [String] = []
        var after = before
        for file in files where file.keyring.keys.contains(where: { $0.matches(id) }) {
            let kept = file.keyring.keys.filter { !$0.matches(id) }
            let gone = Set(file.keyring.keys.filter { $0.matches(id) }.flatMap(\.keyIDs))
            after.removeAll { gone.contains($0) }
            if kept.isEmpty {
                removals.append(file.path)
            } else {
                let keyring = OpenPGPKeyring(keys: kept)
                writes.append((file.path, file.armored ? Array(keyring.armored.utf8) : keyring.binary))
            }
        }
        guard !writes.isEmpty || !removals.isEmpty else { return .finish(ModuleOutcome(result: fields)) }
        let removed = removals
        var result = fields
        result["after"] = .list(after.map(Value.string))
        let done = result
        if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: done)) }
        return upload(writes) {
            guard !removed.isEmpty else { return .finish(ModuleOutcome(changed: true, result: done)) }
            return .run(RemoteStep(.argv(["rm", "-f", "--"] + removed))) { deleted in
                .finish(ModuleOutcome(changed: true, failed: !deleted.succeeded,
                                      message: deleted.succeeded ? nil : deleted.stderrText.trimmingTrailingNewlines, result: done))
            }
        }
    }

    static func upload(_ writes: [(String, [UInt8])], then next: @escaping @Sendable () -> ModuleProgram) -> ModuleProgram {
        guard let (path, bytes) = writes.first else { return next() }
        let rest = Array(writes.dropFirst())
        return .upload(UploadStep(.bytes(Sensitive(bytes)), to: path, mode: 0o644)) { upload(rest, then: next) }
    }
}

/// The keyring files `AptKeyModule.probe` prints: path, size, bytes.
enum KeyringFiles {
    struct File: Sendable {
        var path: String
        var keyring: OpenPGPKeyring
        var armored: Bool
    }

    static func parse(_ bytes: [UInt8]) -> [File]? {
        var files: [File] = []
        var records = ProbeRecords(bytes)
        while !records.atEnd {
            guard let path = records.line(), let slice = records.content() else { return nil }
            let content = Array(slice)
            let armored = String(decoding: content.prefix(4096), as: UTF8.self).contains(OpenPGPKeyring.armorBegin)
            files.append(File(path: path, keyring: OpenPGPKeyring(content), armored: armored))
        }
        return files
    }
}
