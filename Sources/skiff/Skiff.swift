import ArgumentParser

@main
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Agentless SSH deployment orchestrator: Ansible-compatible playbooks, run fast and safely.",
        version: SkiffVersion.current,
        subcommands: [PlaybookCommand.self, ExecCommand.self, UploadCommand.self, InventoryCommand.self, AuditCommand.self, LockCommand.self, RollbackCommand.self],
        defaultSubcommand: PlaybookCommand.self
    )
}

enum SkiffVersion {
    static let current = "0.1.0-dev"
}
