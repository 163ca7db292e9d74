import ArgumentParser
import SkiffCore
import SkiffSSH

/// `skiff exec`: one shell command on many hosts at once, over the SSH transport.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run one shell command on hosts in parallel.",
        discussion: """
            Hosts are [user@]address[:port]. Exit status: 0 all succeeded, 2 the command failed on a host, \
            4 a host was unreachable.
            Example: skiff exec web1 deploy@web2:2222 -a 'docker compose ps'
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.customShort("f"), .long], help: "How many hosts to work on at once.")
    var forks: Int = 50

    @Option(name: .long, help: "Stop the command after this many seconds.")
    var commandTimeout: Double?

    @Argument(help: "Hosts: [user@]address[:port].")
    var hosts: [String] = []

    @Option(name: [.customShort("a"), .long], help: "The command line to run (a shell command, as ansible's -a).")
    var args: String

    func validate() throws {
        try HostRun.validate(hosts: hosts, forks: forks)
        guard !args.isEmpty else { throw ValidationError("-a needs a command") }
    }

    func run() async throws {
        let remote = RemoteCommand(
            args, timeout: commandTimeout.map { .milliseconds(Int($0 * 1000)) })
        let (targets, outcomes) = try await HostRun(connection: connection, hosts: hosts, forks: forks).run {
            try await $0.run(remote)
        }

        let code = HostReport.exitCode(targets, outcomes) { target, result in
            let state = result.succeeded ? "CHANGED" : "FAILED"
            let code = result.exitStatus.map { "rc=\($0)" } ?? "signal=\(result.termination)"
            let output = (result.stdoutText + result.stderrText).trimmingNewline()
            return ("\(target.name) | \(state) | \(code) >>" + (output.isEmpty ? "" : "\n" + output), !result.succeeded)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
