import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffCore
import SkiffModules

/// `skiff status -i INV`: what runs on each host now (`docker inspect` of each compose project's
/// containers, asked over SSH) beside what the audit log says was deployed there (`audit where`). A host
/// and project whose containers are missing, not running or run other images than the recorded deploy is
/// `drift` — someone ran `docker compose up` by hand, a container died. Exit 0 when everything matches,
/// 2 on drift, 4 when a host could not be asked.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Compare what runs on each host with what the audit log says was deployed there (drift).")

    @Option(name: [.customShort("i"), .long], help: "Inventory file, directory or comma-separated host list (repeatable).")
    var inventory: [String] = []

    @Option(name: [.customShort("l"), .long], help: "Only hosts matching this pattern (default all).")
    var limit: String = "all"

    @Option(help: "Only this compose project.") var project: String?
    @Flag(help: "One JSON object per host and project.") var json = false

    @Option(name: [.customShort("f"), .long], help: "Hosts asked at once.")
    var forks: Int = 50

    @OptionGroup var logs: AuditLogOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var vault: VaultOptions

    /// One host × project: what was recorded, what runs, and how they differ.
    struct Row {
        var host: String
        var project: String
        var version: String?
        var recorded: [String]
        var running: [ComposeContainers.Container]
        var problems: [String]
    }

    func run() async throws {
        let sources = inventory.isEmpty ? ConfiguredDefaults.current.inventory : inventory
        guard !sources.isEmpty else { throw ValidationError("status needs an inventory (-i)") }
        let history: AuditHistory
        do {
            history = try logs.history()
        } catch {
            Console.error(error.message)
            throw ExitCode(1)
        }
        let step = RemoteStep(.shell(ComposeContainers.everyProjectScript()))
        let (names, outcomes) = try await HostRun(connection: connection, vault: vault, hosts: [limit], inventory: sources, forks: forks).run { host in
            let result = try await host.run(step, timeout: .seconds(120))
            guard result.succeeded else { throw AuditError("cannot list the containers: \(result.stderrText.trimmingCharacters(in: " \n"))") }
            return ComposeContainers.parseProjects(result.stdoutText)
        }
        var rows: [Row] = []
        var unreachable = false
        for (host, outcome) in zip(names, outcomes) {
            switch outcome {
            case .failure(let error):
                Console.error("\(host): \(error)")
                unreachable = true
            case .success(let projects):
                for deployed in history.current(project: project, host: host) {
                    rows.append(Self.compare(deployed, running: projects[deployed.project] ?? []))
                }
            }
        }
        show(rows)
        if unreachable { throw ExitCode(4) }
        if rows.contains(where: { !$0.problems.isEmpty }) { throw ExitCode(2) }
    }

    /// What differs between a recorded deploy and the containers running for its project.
    static func compare(_ deployed: AuditHistory.Deployed, running: [ComposeContainers.Container]) -> Row {
        var problems: [String] = []
        if running.isEmpty { problems.append("no container") }
        for container in running where container.state != "running" {
            problems.append("\(container.service) \(container.state)")
        }
        for container in running where !container.health.isEmpty && container.health != "healthy" && container.state == "running" {
            problems.append("\(container.service) \(container.health)")
        }
        // Images: compared when the deploy recorded them (as `image@digest`, or the image where no digest was known).
        if !deployed.images.isEmpty && !running.isEmpty {
            let now = running.filter { $0.state == "running" }.map(\.reference).sorted()
            if now != deployed.images.sorted() { problems.append("other images run") }
        }
        return Row(host: deployed.host, project: deployed.project, version: deployed.version, recorded: deployed.images,
                   running: running, problems: problems)
    }

    private func show(_ rows: [Row]) {
        if json {
            for row in rows {
                Console.out(Value.dict([
                    "host": .string(row.host), "project": .string(row.project), "version": row.version.map(Value.string) ?? .null,
                    "recorded": .list(row.recorded.map(Value.string)),
                    "running": .list(row.running.map { .dict(["service": .string($0.service), "image": .string($0.reference),
                                                              "state": .string($0.state), "health": .string($0.health)]) }),
                    "status": .string(row.problems.isEmpty ? "ok" : "drift"), "problems": .list(row.problems.map(Value.string)),
                ]).json)
            }
            return
        }
        guard !rows.isEmpty else {
            Console.out("no deployment recorded" + (project.map { " of project \($0)" } ?? "") + " on these hosts")
            return
        }
        var table = [["HOST", "PROJECT", "VERSION", "RECORDED", "RUNNING", "STATUS"]]
        for row in rows {
            let running = row.running.map { "\(Self.short($0.reference)) \($0.state)" }.joined(separator: ", ")
            table.append([row.host, row.project, row.version ?? "?", row.recorded.map(Self.short).joined(separator: ", "),
                          running.isEmpty ? "-" : running, row.problems.isEmpty ? "ok" : "drift: " + row.problems.joined(separator: "; ")])
        }
        Console.out(Table.render(table))
    }

    /// `image@sha256:` and the digest's first 12 digits.
    static func short(_ reference: String) -> String {
        guard let at = reference.firstRange(of: "@sha256:") else { return reference }
        return String(reference[..<at.upperBound]) + String(reference[at.upperBound...].prefix(12))
    }
}
