import ArgumentParser
import SkiffSSH

@main
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Agentless SSH deployment orchestrator: Ansible-compatible playbooks, run fast and safely.",
        version: SkiffVersion.current,
        subcommands: [PlaybookCommand.self, ExecCommand.self, UploadCommand.self, InventoryCommand.self, AuditCommand.self, LockCommand.self, RollbackCommand.self, StatusCommand.self],
        defaultSubcommand: PlaybookCommand.self
    )

    static func main() async {
        ResidentMemory.limitReadAround()
        ResidentMemory.raiseOpenFileLimit()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            await SSHJumpHost.closeAll()
        } catch {
            await SSHJumpHost.closeAll()
            // A usage error is invalid input: exit 5, as for a playbook or inventory error (not EX_USAGE, 64).
            if exitCode(for: error).rawValue == 64 {
                Console.error(fullMessage(for: error))
                exit(withError: ExitCode(5))
            }
            exit(withError: error)
        }
    }
}

/// What `skiff --version` prints and the audit log records: the release number and the git commit the
/// binary was built from (written at build time by the BuildCommit plugin; `unknown` outside a checkout).
enum SkiffVersion {
    static let number = "0.1.0-dev"
    static let current = "\(number) (commit \(skiffBuildCommit))"
}
