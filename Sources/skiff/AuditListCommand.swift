import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffCore

/// `skiff audit list`: runs, newest first, one line each.
struct AuditListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Runs, newest first, one line each.")

    @OptionGroup var logs: AuditLogOptions
    @OptionGroup var hostLogs: HostLogOptions
    @Option(help: "Only runs on this host.") var host: String?
    @Option(help: "Only runs that deployed this compose project.") var project: String?
    @Option(help: "Only runs of this version.") var version: String?
    @Option(name: .customLong("operator"), help: "Only runs by this operator (user, user@host, or the CI's actor).") var operatorName: String?
    @Option(help: "Only runs with this result: ok, failed, unreachable, locked, interrupted, error, unfinished, check (dry runs).") var status: String?
    @Option(help: "Only runs started at or after this time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).") var since: String?
    @Option(help: "Only runs started before this time.") var until: String?
    @Option(help: "At most this many runs.") var limit: Int?
    @Flag(help: "One JSON object per run and line.") var json = false

    func run() async throws {
        let (history, unreadable) = hostLogs.fromHosts ? try await hostLogs.history() : (try logs.history(), [])
        try show(history)
        // A host whose log could not be read is unreachable history: the answer may be incomplete.
        if !unreadable.isEmpty { throw ExitCode(4) }
    }

    private func show(_ history: AuditHistory) throws {
        let sinceMS = try since.map { try Self.time($0) }
        let untilMS = try until.map { try Self.time($0) }
        var runs = history.runs.reversed().filter { run in
            if let host, !run.hosts.contains(host), !run.deployed.contains(where: { $0.host == host }) { return false }
            if let project, !run.deployed.contains(where: { $0.project == project }) { return false }
            if let version, !run.versions.contains(version) { return false }
            if let operatorName {
                let user = run.started["operator"]?.text ?? ""
                guard user == operatorName || user.hasPrefix(operatorName + "@") || run.actor == operatorName else { return false }
            }
            if let status, run.status != status, !(status == "check" && run.isCheck) { return false }
            let started = AuditTime.parse(run.time) ?? 0
            if let sinceMS, started < sinceMS { return false }
            if let untilMS, started >= untilMS { return false }
            return true
        }
        if let limit { runs = Array(runs.prefix(max(0, limit))) }
        if json {
            for run in runs { Console.out(Value.dict(Self.summary(run)).json) }
            return
        }
        guard !runs.isEmpty else {
            Console.out("no runs recorded in \(logs.paths.joined(separator: ", "))")
            return
        }
        var rows = [["TIME", "RUN", "OPERATOR", "CI JOB", "PLAYBOOK", "HOSTS", "VERSION", "RESULT", "DURATION"]]
        for run in runs {
            rows.append([
                String(run.time.prefix(19)).replacingAll("T", with: " "), String(run.id.prefix(13)), run.operatorName, run.ciLabel,
                run.playbooks.map { String($0.split(separator: "/").last ?? "") }.joined(separator: ","),
                String(run.hosts.count), run.versions.joined(separator: ","), run.status + (run.rollbackOf == nil ? "" : " (rollback)"),
                run.durationMilliseconds.map { Self.seconds($0) } ?? "-",
            ])
        }
        Console.out(Table.render(rows))
    }

    static func summary(_ run: AuditHistory.Run) -> OrderedDictionary<String, Value> {
        [
            "run": .string(run.id), "time": .string(run.time), "operator": .string(run.operatorName),
            "ci": run.started["ci"] ?? .null, "playbooks": .list(run.playbooks.map(Value.string)),
            "hosts": .list(run.hosts.map(Value.string)), "versions": .list(run.versions.map(Value.string)),
            "status": .string(run.status), "duration_ms": run.durationMilliseconds.map(Value.int) ?? .null,
            "rollback_of": run.rollbackOf.map(Value.string) ?? .null,
        ]
    }

    static func time(_ text: String) throws -> Int64 {
        guard let value = AuditTime.parse(text) else { throw ValidationError("'\(text)' is not a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)") }
        return value
    }

    static func seconds(_ milliseconds: Int) -> String {
        "\(milliseconds / 1000).\(String(milliseconds % 1000 / 10).leftPadded(2))s"
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
