import SkiffCore

/// Whether runs also append to each host's own audit log, and where it is on the hosts: `--audit-remote`
/// (with `--audit-remote-path`), else `$SKIFF_AUDIT_REMOTE` (`true`/`1`, or the path), else `audit_remote`
/// in ansible.cfg's `[skiff]` section (`true`, or the path). Off by default; the default path on a host is
/// `~/.skiff/audit.jsonl` of the login user.
struct RemoteAuditSetting: Equatable {
    /// The path on the hosts (nil: the default).
    var path: String?

    /// Nil when runs do not write the hosts' logs.
    static func resolve(flag: Bool, path: String?) -> RemoteAuditSetting? {
        if flag || path != nil { return RemoteAuditSetting(path: path) }
        for value in [Environment.value("SKIFF_AUDIT_REMOTE"), ConfiguredDefaults.current.config.sections["skiff"]?["audit_remote"]] {
            guard let value, !value.isEmpty else { continue }
            switch value.lowercased() {
            case "1", "true", "yes", "on": return RemoteAuditSetting(path: nil)
            case "0", "false", "no", "off": return nil
            default: return RemoteAuditSetting(path: value)
            }
        }
        return nil
    }
}
