import ArgumentParser
import SkiffAudit
import SkiffAuditStore
import SkiffCore

/// `skiff audit …`: review the audit log — who deployed which version where, when, from which CI job.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Review the audit log: list runs, show one, where each version runs, verify the chain, HTML reports, push to the store.",
        subcommands: [AuditListCommand.self, AuditShowCommand.self, AuditWhereCommand.self, AuditDiffCommand.self, AuditVerifyCommand.self, AuditReportCommand.self, AuditPushCommand.self]
    )
}

/// The history to read: the shared store (`--audit-url`, else `$SKIFF_AUDIT_URL` or ansible.cfg's
/// `[skiff] audit_url` when no `--audit-log` is given), else the log files (`--audit-log`, repeatable:
/// several controllers' logs read as one history; default the log runs write to).
struct AuditLogOptions: ParsableArguments {
    @Option(name: .long, help: "Audit log to read (repeatable; default: the log runs write to).")
    var auditLog: [String] = []

    @Option(name: .customLong("audit-url"), help: "Read the shared PostgreSQL store (default $SKIFF_AUDIT_URL, ansible.cfg [skiff] audit_url).")
    var auditURL: String?

    var paths: [String] { AuditLocation.readable(options: auditLog) }

    /// The store to read, if any.
    var storeURL: String? { auditURL ?? (auditLog.isEmpty ? AuditStoreLocation.resolve(option: nil) : nil) }

    /// Every record to read (of `types` only, when given and read from the store), as log text, and what
    /// it came from.
    func contents(types: Set<String>? = nil) throws(AuditError) -> (contents: [[UInt8]], source: String) {
        if let url = storeURL {
            let store = try PostgresAuditStore(url: url, key: nil)
            return ([try store.read(types: types).lines], store.location)
        }
        return (try AuditHistory.read(paths), paths.joined(separator: ", "))
    }

    func history() throws(AuditError) -> AuditHistory {
        AuditHistory(contents: try contents(types: AuditHistory.recordTypes).contents)
    }

    /// One run's records.
    func detail(_ run: String) throws(AuditError) -> RunDetail {
        let (contents, source) = try contents()
        return try RunDetail(run: run, history: AuditHistory(contents: contents), contents: contents, from: source)
    }
}
