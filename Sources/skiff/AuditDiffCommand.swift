import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffCore

/// `skiff audit diff A B`: what differs between two runs — versions, playbooks, extra vars (secrets by
/// fingerprint), and per host the result, the files uploaded (by SHA-256, with a unified diff of their
/// text when both runs recorded it) and what was deployed.
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
                .list(list.map { change in
                    var fields: OrderedDictionary<String, Value> = [
                        "subject": .string(change.subject), "before": change.before.map(Value.string) ?? .null,
                        "after": change.after.map(Value.string) ?? .null,
                    ]
                    if let diff = change.diff { fields["diff"] = .string(diff) }
                    return .dict(fields)
                })
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
            let line = "\(indent)\(change.subject): \(change.before ?? "(none)") -> \(change.after ?? "(none)")"
            guard let diff = change.diff else { return line }
            return ([line] + diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { indent + "    " + $0 }).joined(separator: "\n")
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
