import ArgumentParser

/// `skiff audit …`: review the audit log — who deployed which version where, when, from which CI job.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Review the audit log: list runs, show one, where each version runs, verify the chain, HTML reports.",
        subcommands: [AuditListCommand.self, AuditShowCommand.self, AuditWhereCommand.self, AuditDiffCommand.self, AuditVerifyCommand.self, AuditReportCommand.self]
    )
}

/// The logs to read: `--audit-log` (repeatable: several controllers' logs read as one history).
struct AuditLogOptions: ParsableArguments {
    @Option(name: .long, help: "Audit log to read (repeatable; default: the log runs write to).")
    var auditLog: [String] = []

    var paths: [String] { AuditLocation.readable(options: auditLog) }
}
