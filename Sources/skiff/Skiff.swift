import ArgumentParser

@main
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Agentless SSH deployment orchestrator: Ansible-compatible playbooks, run fast and safely.",
        version: SkiffVersion.current,
        subcommands: [ExecCommand.self, UploadCommand.self, InventoryCommand.self]
    )
}

enum SkiffVersion {
    static let current = "0.1.0-dev"
}
