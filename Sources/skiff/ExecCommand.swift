import ArgumentParser
import SkiffCore
import SkiffModules

/// `skiff exec`: one shell command on many hosts at once, over the SSH transport.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run one shell command on hosts in parallel.",
        discussion: """
            Hosts are [user@]address[:port], or with -i INVENTORY host patterns (as ansible PATTERN -a …). \
            Exit status: 0 all succeeded, 2 the command failed on a host, 4 a host was unreachable.
            Examples: skiff exec web1 deploy@web2:2222 -a 'docker compose ps'
                      skiff exec -i inventory/hosts.ini 'app:!app3' -a 'docker compose ps'
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var vault: VaultOptions

    @Option(name: [.customShort("f"), .long], help: "How many hosts to work on at once.")
    var forks: Int = 50

    @Option(name: .long, help: "Stop the command after this many seconds.")
    var commandTimeout: Double?

    @Option(name: [.customShort("i"), .long], help: "Inventory file, directory or comma-separated host list (repeatable): the hosts are then patterns.")
    var inventory: [String] = []

    @Argument(help: "Hosts: [user@]address[:port]; with -i, host patterns.")
    var hosts: [String] = []

    @Option(name: [.customShort("a"), .long], help: "The command line to run (a shell command, as ansible's -a).")
    var args: String

    func validate() throws {
        try HostRun.validate(hosts: hosts, forks: forks, inventory: inventory)
        guard !args.isEmpty else { throw ValidationError("-a needs a command") }
    }

    func run() async throws {
        let step = RemoteStep(.raw(args))
        let timeout = commandTimeout.map { Duration.milliseconds(Int($0 * 1000)) }
        let (names, outcomes) = try await HostRun(connection: connection, vault: vault, hosts: hosts, inventory: inventory, forks: forks).run {
            try await $0.run(step, timeout: timeout)
        }

        let code = HostReport.exitCode(names, outcomes) { name, result in
            let state = result.succeeded ? "CHANGED" : "FAILED"
            let code = result.exitStatus.map { "rc=\($0)" } ?? "signal=\(result.termination)"
            let output = (result.stdoutText + result.stderrText).trimmingNewline()
            return ("\(name) | \(state) | \(code) >>" + (output.isEmpty ? "" : "\n" + output), !result.succeeded)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
