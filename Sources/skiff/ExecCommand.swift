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
            Example: skiff exec web1 deploy@web2:2222 -- docker compose ps
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.customShort("f"), .long], help: "How many hosts to work on at once.")
    var forks: Int = 50

    @Option(name: .long, help: "Stop the command after this many seconds.")
    var commandTimeout: Double?

    @Argument(help: "Hosts: [user@]address[:port].")
    var hosts: [String] = []

    @Argument(parsing: .postTerminator, help: "The command line, after --.")
    var command: [String] = []

    func validate() throws {
        guard !hosts.isEmpty else { throw ValidationError("name at least one host") }
        guard !command.isEmpty else { throw ValidationError("give the command after --") }
        guard forks > 0 else { throw ValidationError("--forks must be at least 1") }
        for host in hosts where HostSpec(host) == nil {
            throw ValidationError("'\(host)' is not [user@]address[:port]")
        }
    }

    func run() async throws {
        let options = connection.sshOptions()
        let credentials = try connection.credentials()
        let knownHosts = try KnownHosts.load(files: options.knownHostsFiles)
        let user = connection.defaultUser
        let targets = hosts.compactMap { HostSpec($0)?.target(defaultUser: user) }
        let remote = RemoteCommand(
            command.joined(separator: " "), timeout: commandTimeout.map { .milliseconds(Int($0 * 1000)) })

        let outcomes = await ParallelHosts(limit: forks).run(targets) { target in
            let connection = try await SSHConnection.connect(
                to: target, options: options, credentials: credentials, knownHosts: knownHosts)
            defer { Task { await connection.close() } }
            return try await connection.run(remote)
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
