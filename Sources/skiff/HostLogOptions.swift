import ArgumentParser
import SkiffAudit
import SkiffCore
import SkiffModules

/// `--from-hosts`: the review commands read the hosts' own audit logs (written by runs with
/// `--audit-remote`) over SSH, in parallel, instead of the controller's — the history a throwaway CI
/// runner did not keep.
struct HostLogOptions: ParsableArguments {
    @Flag(name: .long, help: "Read the hosts' own audit logs (see --audit-remote) over SSH instead of the controller's.")
    var fromHosts = false

    @Option(name: [.customShort("i"), .long], help: "With --from-hosts: inventory file, directory or comma-separated host list (repeatable).")
    var inventory: [String] = []

    @Option(name: .long, help: "With --from-hosts: the hosts to ask, a host pattern (default all).")
    var hosts: String = "all"

    @Option(name: .long, help: "With --from-hosts: the log's path on the hosts (default ~/.skiff/audit.jsonl).")
    var auditRemotePath: String?

    @Option(name: [.customShort("f"), .long], help: "With --from-hosts: hosts asked at once.")
    var forks: Int = 50

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var vault: VaultOptions

    /// Each host's log, or why it could not be read. Throws for invalid input (no inventory, a bad pattern).
    func read() async throws -> [(host: String, log: Result<[UInt8], Error>)] {
        let sources = inventory.isEmpty ? ConfiguredDefaults.current.inventory : inventory
        guard !sources.isEmpty else { throw ValidationError("--from-hosts needs an inventory (-i)") }
        let step = RemoteStep(.shell(RemoteAuditLog.readScript(path: auditRemotePath)))
        let (names, outcomes) = try await HostRun(connection: connection, vault: vault, hosts: [hosts], inventory: sources, forks: forks).run { host in
            let result = try await host.run(step, timeout: .seconds(120))
            guard result.succeeded else { throw AuditError("cannot read the host's audit log: \(result.stderrText.trimmingCharacters(in: " \n"))") }
            return result.stdout
        }
        return Array(zip(names, outcomes)).map { (host: $0.0, log: $0.1) }
    }

    /// The history the hosts' logs hold together; hosts that could not be asked are reported on stderr
    /// (and make the command exit 4 through `unreachable`).
    func history() async throws -> (history: AuditHistory, unreadable: [String]) {
        var contents: [[UInt8]] = []
        var unreadable: [String] = []
        for (host, log) in try await read() {
            switch log {
            case .success(let bytes): contents.append(bytes)
            case .failure(let error):
                Console.error("\(host): \(error)")
                unreadable.append(host)
            }
        }
        return (AuditHistory(contents: contents), unreadable)
    }
}
