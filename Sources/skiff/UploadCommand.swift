import ArgumentParser
import SkiffCore
import SkiffModules

/// `skiff upload`: one local file to the same path on many hosts, atomically.
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a local file to hosts in parallel (temp file + rename, so no reader sees half of it).",
        discussion: "Example: skiff upload docker-compose.yml web1 web2 --dest /srv/app/docker-compose.yml"
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var vault: VaultOptions

    @Option(name: [.customShort("f"), .long], help: "How many hosts to work on at once.")
    var forks: Int = 50

    @Option(name: .long, help: "Remote path to write.")
    var dest: String

    @Option(name: .long, help: "Remote file mode, octal.")
    var mode: String = "0644"

    @Argument(help: "The local file.")
    var source: String

    @Option(name: [.customShort("i"), .long], help: "Inventory file, directory or comma-separated host list (repeatable): the hosts are then patterns.")
    var inventory: [String] = []

    @Argument(help: "Hosts: [user@]address[:port]; with -i, host patterns.")
    var hosts: [String] = []

    func validate() throws {
        try HostRun.validate(hosts: hosts, forks: forks, inventory: inventory)
        guard UInt32(mode, radix: 8) != nil else { throw ValidationError("--mode must be octal, like 0644") }
    }

    func run() async throws {
        let fileMode = UInt32(mode, radix: 8) ?? 0o644
        let (source, dest) = (self.source, self.dest)
        let (names, outcomes) = try await HostRun(connection: connection, vault: vault, hosts: hosts, inventory: inventory, forks: forks).run {
            try await $0.upload(UploadStep(.localFile(source), to: dest, mode: fileMode))
        }
        let code = HostReport.exitCode(names, outcomes) { name, _ in ("\(name) | CHANGED | \(dest)", false) }
        if code != 0 { throw ExitCode(code) }
    }
}
