import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import OrderedCollections
import SkiffAudit
import SkiffCore
import SkiffPlaybook
import SkiffRunner

/// What `run_started` says about a run: who (user@host), from which CI job, the command line, the
/// playbooks and inventory files with their SHA-256, extra vars, limit, tags, check mode, the task it
/// started at. Secret values (extra vars whose names look secret, and values decrypted from a vault) appear
/// only as fingerprints, in the command line too.
enum RunStartedRecord {
    static func fields(
        recorder: AuditRecorder, playbooks: [Playbook], sources: [String], extra: OrderedDictionary<String, Value>,
        vaultSecrets: Set<String> = [], options: PlaybookOptions, rollbackOf: String?
    ) -> OrderedDictionary<String, Value> {
        let declared = SecretNames.declared(in: extra.lazy.map { ($0.key, $0.value) }).union(options.secretVars)
        let mask = SecretMask(SecretMask.values(in: extra.lazy.map { ($0.key, $0.value) }, declared: declared) + vaultSecrets,
                              replacement: recorder.fingerprint)
        var fields: OrderedDictionary<String, Value> = [
            "skiff_version": .string(SkiffVersion.current),
            "operator": .string(operatorName()),
            "controller_pid": .int(Int(getpid())),
            "ci": CIContext.current().map(Value.dict) ?? .null,
            "command_line": .string(mask.apply(ShellQuote.join(CommandLine.arguments))),
            "playbooks": .list(playbooks.map { file($0.path) }),
            "inventory": .list(sources.map { FileManager.default.fileExists(atPath: $0) ? file($0) : .dict(["hosts": .string($0)]) }),
            "extra_vars": fingerprinted(.dict(extra), recorder: recorder, secret: false, declared: declared, known: vaultSecrets),
            "limit": options.limit.map(Value.string) ?? .null,
            "shard": options.shard.map(Value.string) ?? .null,
            "tags": .list(options.tags.map(Value.string)),
            "skip_tags": .list(options.skipTags.map(Value.string)),
            "check_mode": .bool(options.check),
            // `auto`: facts are gathered only for plays that read them (each skip is a `note` record).
            "gather_facts": .string(options.factMode.rawValue),
            // Whether a secret's fingerprint here matches other runners' (a shared SKIFF_AUDIT_KEY) or only this log's.
            "fingerprints": .string(recorder.sharedFingerprints ? "shared" : "per-log"),
        ]
        if let start = options.startAtTask { fields["start_at_task"] = .string(start) }
        if options.step { fields["step"] = .bool(true) }
        if let rollbackOf { fields["rollback_of"] = .string(rollbackOf) }
        return fields
    }

    static func operatorName() -> String {
        var name = Environment.value("USER") ?? Environment.value("LOGNAME")
        if name == nil, let entry = getpwuid(getuid()) { name = String(cString: entry.pointee.pw_name) }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostname = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(name ?? "unknown")@\(hostname)"
    }

    /// `{path, sha256}` of a file (a directory: its path only).
    static func file(_ path: String) -> Value {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory,
              let data = FileManager.default.contents(atPath: path) else {
            return .dict(["path": .string(path)])
        }
        let digest = SHA256.hash(data: data).map { String(printf: "%02x", $0) }.joined()
        return .dict(["path": .string(path), "sha256": .string(digest)])
    }

    /// Values under secret-looking names (or top-level names listed in `skiff_secret_vars`) and `known`
    /// secret values (decrypted from a vault) become fingerprints, at any depth.
    static func fingerprinted(_ value: Value, recorder: AuditRecorder, secret: Bool, declared: Set<String> = [], known: Set<String> = []) -> Value {
        switch value {
        case .dict(let dict):
            var result = OrderedDictionary<String, Value>()
            for (key, inner) in dict {
                result[key] = fingerprinted(
                    inner, recorder: recorder, secret: secret || declared.contains(key) || SecretNames.looksSecret(key), known: known)
            }
            return .dict(result)
        case .list(let items): return .list(items.map { fingerprinted($0, recorder: recorder, secret: secret, known: known) })
        case .null: return .null
        default: return secret || known.contains(value.text) ? .string(recorder.fingerprint(value.text)) : value
        }
    }
}
