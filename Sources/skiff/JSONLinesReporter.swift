#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// `--output json`: one JSON object per line per event, with a UTC timestamp and the run id, for CI jobs to
/// parse. The first event (`run_start`, or `error` when the input is invalid) carries `schema_version`;
/// docs/json-output.md describes every event.
struct JSONLinesReporter: Sendable {
    static let schemaVersion = 1
    let runID: String?

    init(runID: String?) {
        self.runID = runID
    }

    /// The first event of a run.
    func started(playbooks: [String]) {
        emit(["event": "run_start", "schema_version": .int(Self.schemaVersion), "playbooks": .list(playbooks.map(Value.string))])
    }

    /// An error that ends the run before or instead of its plays (invalid input: exit 5).
    func error(_ message: String, exitCode: Int32) {
        emit(["event": "error", "schema_version": .int(Self.schemaVersion), "msg": .string(message), "exit_code": .int(Int(exitCode))])
    }

    private func emit(_ fields: OrderedDictionary<String, Value>) {
        var ordered: OrderedDictionary<String, Value> = ["event": fields["event"] ?? .null, "time": .string(Self.timestamp())]
        if let runID { ordered["run"] = .string(runID) }
        ordered.merge(fields) { current, _ in current }
        Console.out(Value.dict(ordered).json)
    }

    func handle(_ event: RunEvent) {
        var fields: OrderedDictionary<String, Value> = [:]
        switch event {
        case .uploaded:
            // The audit log's; the `command` event already names the upload and its SHA-256.
            return
        case .note(let text):
            fields["event"] = .string("note")
            fields["msg"] = .string(text)
        case .playStarted(let name, let pattern, let hosts):
            fields["event"] = .string("play_start")
            fields["name"] = .string(name)
            fields["pattern"] = .string(pattern)
            fields["hosts"] = .list(hosts.map(Value.string))
        case .taskStarted(let name):
            fields["event"] = .string("task_start")
            fields["name"] = .string(name)
        case .hostResult(let result):
            fields["event"] = .string("host_result")
            fields["host"] = .string(result.host)
            fields["task"] = .string(result.task)
            fields["status"] = .string(result.status.rawValue)
            if let item = result.item { fields["item"] = .string(item) }
            if let count = result.loopItems { fields["loop_items"] = .int(count) }
            if let rc = result.rc { fields["rc"] = .int(rc) }
            if let message = result.message { fields["msg"] = .string(message) }
            if let stdout = result.stdout { fields["stdout"] = .string(stdout) }
            if let stderr = result.stderr { fields["stderr"] = .string(stderr) }
            if let diff = result.diff { fields["diff"] = .string(diff) }
            fields["duration_ms"] = .int(Int(result.duration.components.seconds * 1000 + result.duration.components.attoseconds / 1_000_000_000_000_000))
        case .command(let host, let line):
            fields["event"] = .string("command")
            fields["host"] = .string(host)
            fields["command"] = .string(line)
        case .lock(let host, let action, let detail):
            fields["event"] = .string("lock")
            fields["host"] = .string(host)
            fields["action"] = .string(action)
            if let detail { fields["msg"] = .string(detail) }
        case .rescued(let host):
            fields["event"] = .string("rescued")
            fields["host"] = .string(host)
        case .warning(let text):
            fields["event"] = .string("warning")
            fields["msg"] = .string(text)
        case .recap(let recaps):
            fields["event"] = .string("recap")
            var hosts = OrderedDictionary<String, Value>()
            for recap in recaps {
                hosts[recap.host] = .dict([
                    "ok": .int(recap.ok), "changed": .int(recap.changed), "unreachable": .int(recap.unreachable),
                    "failed": .int(recap.failed), "skipped": .int(recap.skipped), "rescued": .int(recap.rescued),
                    "ignored": .int(recap.ignored), "locked": .int(recap.locked),
                ])
            }
            fields["hosts"] = .dict(hosts)
            fields["exit_code"] = .int(Int(HostRecap.exitCode(recaps)))
        }
        emit(fields)
    }

    static func timestamp() -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
    }
}
