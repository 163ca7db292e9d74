import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffCore

/// `skiff audit where`: the version running on each host per compose project (its last successful
/// deploy), with its images (`image@sha256:` and the digest's first 12 digits; whole in `--json`), when,
/// by whom, from which CI job. With `--version`: where that version runs.
struct AuditWhereCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "where", abstract: "Which version runs on each host (per compose project), deployed when, by whom, from which CI job.")

    @OptionGroup var logs: AuditLogOptions
    @OptionGroup var hostLogs: HostLogOptions
    @Option(help: "Only this compose project.") var project: String?
    @Option(help: "Only this host.") var host: String?
    @Option(help: "Only hosts running this version.") var version: String?
    @Flag(help: "One JSON object per host and project.") var json = false

    func run() async throws {
        let (history, unreadable) = hostLogs.fromHosts ? try await hostLogs.history() : (try logs.history(), [])
        try show(history)
        // A host whose log could not be read is unreachable history: the answer may be incomplete.
        if !unreadable.isEmpty { throw ExitCode(4) }
    }

    private func show(_ history: AuditHistory) throws {
        var current = history.current(project: project, host: host)
        if let version { current = current.filter { $0.version == version } }
        if json {
            for deployed in current {
                Console.out(Value.dict([
                    "host": .string(deployed.host), "project": .string(deployed.project), "version": deployed.version.map(Value.string) ?? .null,
                    "time": .string(deployed.time), "operator": .string(deployed.operatorName), "ci": .string(deployed.ci), "run": .string(deployed.run),
                    "images": .list(deployed.images.map(Value.string)),
                ]).json)
            }
            return
        }
        guard !current.isEmpty else {
            Console.out("no deployment recorded" + (version.map { " of version \($0)" } ?? ""))
            return
        }
        var rows = [["HOST", "PROJECT", "VERSION", "IMAGE", "DEPLOYED", "BY", "CI JOB", "RUN"]]
        for deployed in current {
            let images = deployed.images.isEmpty ? "-" : deployed.images.map(StatusCommand.short).joined(separator: ", ")
            rows.append([deployed.host, deployed.project, deployed.version ?? "?", images, String(deployed.time.prefix(19)).replacingAll("T", with: " "),
                         deployed.operatorName, deployed.ci, String(deployed.run.prefix(13))])
        }
        Console.out(Table.render(rows))
    }
}
