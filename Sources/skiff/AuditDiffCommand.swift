import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffCore

/// `skiff audit diff A B`: what differs between two runs — versions, playbooks, extra vars (secrets by
/// fingerprint), and per host the result, the files uploaded (by SHA-256) and what was deployed.
struct AuditDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "What differs between two runs: versions, files uploaded, extra vars, results per host.")

    @OptionGroup var logs: AuditLogOptions
    @Argument(help: "The first run's id (or a unique prefix).") var first: String
    @Argument(help: "The second run's id (or a unique prefix).") var second: String
    @Flag(help: "The differences as one JSON object.") var json = false

    func run() async throws {
        let comparison: RunComparison
        do {
            comparison = RunComparison(try logs.detail(first), try logs.detail(second))
        } catch {
            Console.error(error.message)
            throw ExitCode(1)
        }
        if json {
            func changes(_ list: [RunComparison.Change]) -> Value {
                .list(list.map { .dict(["subject": .string($0.subject), "before": $0.before.map(Value.string) ?? .null,
                                         "after": $0.after.map(Value.string) ?? .null]) })
            }
            var hosts = OrderedDictionary<String, Value>()
            for (host, list) in comparison.hosts { hosts[host] = changes(list) }
            Console.out(Value.dict(["first": .string(comparison.first.id), "second": .string(comparison.second.id),
                                    "run": changes(comparison.run), "hosts": .dict(hosts)]).json)
            return
        }
        var lines = [
            "--- run \(comparison.first.id) (\(comparison.first.time), \(comparison.first.operatorName))",
            "+++ run \(comparison.second.id) (\(comparison.second.time), \(comparison.second.operatorName))",
        ]
        func show(_ change: RunComparison.Change, indent: String) -> String {
            "\(indent)\(change.subject): \(change.before ?? "(none)") -> \(change.after ?? "(none)")"
        }
        lines += comparison.run.map { show($0, indent: "") }
        for (host, list) in comparison.hosts {
            lines.append("\(host):")
            lines += list.map { show($0, indent: "  ") }
        }
        if comparison.isEmpty { lines.append("no differences") }
        Console.out(lines.joined(separator: "\n"))
    }
}
