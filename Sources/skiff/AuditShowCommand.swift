import ArgumentParser
import SkiffAudit
import SkiffCore

/// `skiff audit show RUN`: the run's timeline per host and task, with commands and output.
struct AuditShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One run's timeline per host and task, with outputs.")

    @OptionGroup var logs: AuditLogOptions
    @Argument(help: "Run id (or a unique prefix of it).") var run: String
    @Flag(help: "The run's records as JSON lines.") var json = false

    func run() async throws {
        let detail: RunDetail
        do {
            detail = try logs.detail(run)
        } catch {
            Console.error(error.message)
            throw ExitCode(1)
        }
        if json {
            Console.out(Value.dict(detail.run.started).json)
            for event in detail.events { Console.out(Value.dict(event).json) }
            for (_, results) in detail.hosts { for result in results { Console.out(Value.dict(result).json) } }
            for deployed in detail.run.deployed {
                Console.out(Value.dict(["type": "deployed", "host": .string(deployed.host), "project": .string(deployed.project),
                                        "version": deployed.version.map(Value.string) ?? .null]).json)
            }
            if let finished = detail.run.finished { Console.out(Value.dict(finished).json) }
            return
        }
        let run = detail.run
        var lines = ["run \(run.id)", "  started   \(run.time) by \(run.operatorName)", "  CI job    \(run.ciLabel)"]
        if let url = run.started["ci"]?.dictValue?["url"]?.text { lines.append("  CI URL    \(url)") }
        lines.append("  command   \(run.started["command_line"]?.text ?? "-")")
        for playbook in run.started["playbooks"]?.listValue ?? [] {
            let fields = playbook.dictValue
            lines.append("  playbook  \(fields?["path"]?.text ?? "?") sha256:\(fields?["sha256"]?.text.prefix(16) ?? "-")")
        }
        if let rollback = run.rollbackOf { lines.append("  rollback of \(rollback)") }
        lines.append("  result    \(run.status)" + (run.durationMilliseconds.map { " in \(AuditListCommand.seconds($0))" } ?? ""))
        for deployed in run.deployed {
            lines.append("  deployed  \(deployed.host): \(deployed.project) \(deployed.version ?? "?")")
        }
        for event in detail.events {
            lines.append("  \(event["type"]?.text ?? "?")  \(event["host"]?.text ?? "") \(event["message"]?.text ?? "")")
        }
        for host in detail.hostsFailuresFirst {
            lines.append("")
            lines.append(host)
            for result in detail.hosts[host] ?? [] {
                let item = result["item"].map { " (item=\($0.text))" } ?? ""
                let rc = result["rc"].map { " rc=\($0.text)" } ?? ""
                let duration = result["duration_ms"]?.intValue.map { AuditListCommand.seconds($0) } ?? ""
                lines.append("  \(String((result["time"]?.text ?? "").dropFirst(11).prefix(12)))  \((result["status"]?.text ?? "?").padding(11))\(result["task"]?.text ?? "")\(item)\(rc)  \(duration)")
                for command in result["commands"]?.listValue ?? [] { lines.append("      $ \(command.text)") }
                for key in ["msg", "stdout_tail", "stderr_tail"] {
                    guard let text = result[key]?.text, !text.isEmpty else { continue }
                    let label = key.replacingAll("_tail", with: "")
                    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(20).enumerated() {
                        lines.append("      \(index == 0 ? label + ":" : String(repeating: " ", count: label.count + 1)) \(line)")
                    }
                }
            }
        }
        Console.out(lines.joined(separator: "\n"))
    }
}
