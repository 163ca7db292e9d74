import OrderedCollections
import SkiffCore

/// Everything one run recorded, grouped by host in the order it happened (`skiff audit show`, `report`).
public struct RunDetail: Sendable {
    public var run: AuditHistory.Run
    /// Each host's task results, in order.
    public var hosts: OrderedDictionary<String, [OrderedDictionary<String, Value>]> = [:]
    /// Other records of the run (lock events, recovered, …).
    public var events: [OrderedDictionary<String, Value>] = []
    /// The text of the files the run uploaded, by SHA-256 (`file` records; masked, at most 64 KiB each).
    public var files: [String: String] = [:]

    /// Finds a run by id or unique id prefix and reads its records. A log that cannot be read is an error,
    /// as in `AuditHistory`: a run shown without some of its records would look complete.
    public init(run reference: String, history: AuditHistory, logs: [String]) throws(AuditError) {
        try self.init(run: reference, history: history, contents: AuditHistory.read(logs), from: logs.joined(separator: ", "))
    }

    /// From logs already read (the shared store's records); `source` names them in errors.
    public init(run reference: String, history: AuditHistory, contents: [[UInt8]], from source: String) throws(AuditError) {
        let matches = history.runs.filter { $0.id.hasPrefix(reference) }
        guard let run = matches.first else { throw AuditError("no run '\(reference)' in \(source)") }
        guard matches.count == 1 else { throw AuditError("'\(reference)' names \(matches.count) runs; give more of the id") }
        self.run = run
        let needle = Array(run.id.utf8)
        for bytes in contents {
            for record in AuditRecord.split(bytes).records where AuditRecord.offset(of: needle, in: record.bytes.prefix(320)) != nil {
                let fields = record.fields
                guard fields["run"]?.text == run.id else { continue }
                switch fields["type"]?.text {
                case "task_result": hosts[fields["host"]?.text ?? "?", default: []].append(fields)
                case "run_started", "run_finished", "run_interrupted", "deployed": break
                case "file":
                    if let sha256 = fields["sha256"]?.text, let content = fields["content"]?.stringValue { files[sha256] = content }
                default: events.append(fields)
                }
            }
        }
    }

    /// Hosts that failed or were unreachable first, then the others (by name).
    public var hostsFailuresFirst: [String] {
        let recap = run.finished?["hosts"]?.dictValue ?? [:]
        func bad(_ host: String) -> Bool {
            let counts = recap[host]?.dictValue
            return (counts?["failed"]?.intValue ?? 0) + (counts?["unreachable"]?.intValue ?? 0) > 0
                || hosts[host]?.contains { ["failed", "unreachable"].contains($0["status"]?.text ?? "") } == true
        }
        let names = Array(Set(hosts.keys).union(recap.keys)).sorted()
        return names.filter(bad) + names.filter { !bad($0) }
    }
}
