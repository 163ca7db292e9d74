import SkiffCore

/// Where the audit log is: `--audit-log`, else `$SKIFF_AUDIT_LOG`, else `audit_log` in ansible.cfg's
/// `[skiff]` section, else `$XDG_STATE_HOME/skiff/audit.jsonl` (`~/.local/state/skiff/audit.jsonl`) — a
/// persistent CI agent keeps its history across jobs.
enum AuditLocation {
    static func resolve(option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let variable = Environment.value("SKIFF_AUDIT_LOG"), !variable.isEmpty { return variable }
        if let configured = ConfiguredDefaults.current.config.sections["skiff"]?["audit_log"], !configured.isEmpty {
            return configured.hasPrefix("~/") ? (Environment.value("HOME") ?? "") + configured.dropFirst() : configured
        }
        if let state = Environment.value("XDG_STATE_HOME"), !state.isEmpty { return state + "/skiff/audit.jsonl" }
        return (Environment.value("HOME") ?? "/root") + "/.local/state/skiff/audit.jsonl"
    }

    /// The logs a review command reads: every `--audit-log` given, else the one a run would write.
    static func readable(options: [String]) -> [String] {
        options.isEmpty ? [resolve(option: nil)] : options
    }
}

/// Where the shared audit store is: `--audit-url`, else `$SKIFF_AUDIT_URL`, else `audit_url` in ansible.cfg's
/// `[skiff]` section; nil when there is none (the file alone is the history).
enum AuditStoreLocation {
    static func resolve(option: String?) -> String? {
        for value in [option, Environment.value("SKIFF_AUDIT_URL"), ConfiguredDefaults.current.config.sections["skiff"]?["audit_url"]] {
            if let value, !value.isEmpty { return value }
        }
        return nil
    }
}
