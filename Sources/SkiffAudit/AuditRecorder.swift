import Dispatch
import OrderedCollections
import SkiffCore
import Synchronization

/// Writes one run's records to the audit log as the run happens: `run_started` (before any host is
/// contacted: if it cannot be written, the run does not start), a `task_result` per host and task after it
/// finished (with the commands sent and the tails of its output), lock events, `deployed` per host and
/// compose project for hosts that finished without failure, then `run_finished` — or `run_interrupted`.
/// A write that fails mid-run is reported once through `onFailure` (the run then starts no new task).
///
/// Records are handed to a writer queue, which appends whatever has gathered in one locked write and one
/// fsync (group commit), so that no host's thread blocks on the disk. `durable()` returns once everything
/// recorded so far is on disk: the runner awaits it before each host's next task.
public final class AuditRecorder: Sendable {
    public let log: AuditLog
    public let runID: String
    /// Output tails kept per record (the end of stdout and of stderr), in characters.
    public static let tailLimit = 2048
    static let commandLimit = 20

    private struct State {
        var play = ""
        /// For the hosts' own logs (`keepsHostRecords`): `run_started`, and each host's records.
        var started: OrderedDictionary<String, Value>?
        var hostRecords: [String: [OrderedDictionary<String, Value>]] = [:]
        var commands: [String: [String]] = [:]
        var deployments: [String: OrderedDictionary<String, Deployment>] = [:]
        var failure: AuditError?
        /// The SHA-256 of every upload whose text this run recorded (`file` records).
        var recordedFiles: Set<String> = []
    }

    private let state = Mutex(State())
    private let onFailure: @Sendable (AuditError) -> Void

    private struct Queue {
        var records: [(type: String, fields: OrderedDictionary<String, Value>)] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
        var draining = false
    }

    private let queue = Mutex(Queue())
    private let writer = DispatchQueue(label: "skiff.audit.writer")

    /// Whether each host's records are also kept for its own log (`--audit-remote`, see `hostPart`).
    public let keepsHostRecords: Bool
    /// Where every record also goes (the shared store), after the file.
    public let sinks: [any AuditSink]

    public init(
        log: AuditLog, runID: String, keepsHostRecords: Bool = false, sinks: [any AuditSink] = [],
        onFailure: @escaping @Sendable (AuditError) -> Void
    ) {
        self.log = log
        self.runID = runID
        self.keepsHostRecords = keepsHostRecords
        self.sinks = sinks
        self.onFailure = onFailure
    }

    /// The first write failure, if any (the run must then exit non-zero).
    public var failure: AuditError? { state.withLock { $0.failure } }

    public func fingerprint(_ secret: String) -> String { log.key.fingerprint(secret) }
    /// True when fingerprints use the fleet's shared key (`SKIFF_AUDIT_KEY`), false when they are this log's.
    public var sharedFingerprints: Bool { log.key.sharedFingerprints }

    /// `run_started`; throws when it cannot be written (the run must not start).
    public func started(_ fields: OrderedDictionary<String, Value>) throws(AuditError) {
        var record: OrderedDictionary<String, Value> = ["run": .string(runID)]
        record.merge(fields) { $1 }
        try log.append("run_started", record)
        for sink in sinks { try sink.append([("run_started", record)]) }
        if keepsHostRecords { state.withLock { $0.started = Self.stamped("run_started", record) } }
    }

    /// Any other record of this run (lock events, …).
    public func record(_ type: String, _ fields: OrderedDictionary<String, Value>) {
        var record: OrderedDictionary<String, Value> = ["run": .string(runID)]
        record.merge(fields) { $1 }
        write(type, record)
    }

    public func handle(_ event: RunEvent) {
        switch event {
        case .playStarted(let name, _, _):
            state.withLock { $0.play = name }
        case .command(let host, let line):
            state.withLock { state in
                if state.commands[host, default: []].count < Self.commandLimit { state.commands[host, default: []].append(line) }
            }
        case .hostResult(let result):
            let (play, commands) = state.withLock { state -> (String, [String]) in
                defer { state.commands[result.host] = nil }
                if let deployment = result.deployment, result.status == .ok || result.status == .changed {
                    state.deployments[result.host, default: [:]][deployment.project] = deployment
                }
                return (state.play, state.commands[result.host] ?? [])
            }
            var fields: OrderedDictionary<String, Value> = [
                "run": .string(runID), "host": .string(result.host), "play": .string(play), "task": .string(result.task),
                "status": .string(result.status.rawValue),
            ]
            if let item = result.item { fields["item"] = .string(item) }
            if let count = result.loopItems { fields["loop_items"] = .int(count) }
            if let rc = result.rc { fields["rc"] = .int(rc) }
            fields["duration_ms"] = .int(Self.milliseconds(result.duration))
            if !commands.isEmpty { fields["commands"] = .list(commands.map(Value.string)) }
            if let message = result.message { fields["msg"] = .string(Self.tail(message)) }
            if let stdout = result.stdout, !stdout.isEmpty { fields["stdout_tail"] = .string(Self.tail(stdout)) }
            if let stderr = result.stderr, !stderr.isEmpty { fields["stderr_tail"] = .string(Self.tail(stderr)) }
            if let hidden = result.hiddenOutput {
                fields["no_log"] = .bool(true)
                fields["output_fingerprint"] = .string(fingerprint(hidden.revealed))
            }
            write("task_result", fields)
        case .uploaded(let host, let destination, let sha256, let text):
            // Each content once per run: a compose file uploaded to 100 hosts is one record.
            let first = state.withLock { $0.recordedFiles.insert(sha256).inserted }
            if first {
                write("file", ["run": .string(runID), "host": .string(host), "destination": .string(destination),
                               "sha256": .string(sha256), "content": .string(text)])
            }
        case .lock(let host, let action, let detail):
            var fields: OrderedDictionary<String, Value> = ["run": .string(runID), "host": .string(host)]
            if let detail { fields["message"] = .string(detail) }
            write("lock_\(action)", fields)
        case .note(let text):
            write("note", ["run": .string(runID), "msg": .string(text)])
        case .taskStarted, .rescued, .warning, .recap:
            break
        }
    }

    /// The host's part of the run for its own log: `run_started`, its task results and lock events, what it
    /// deployed (when it finished without failure) and its `run_finished`. Empty unless `keepsHostRecords`.
    public func hostPart(_ recap: HostRecap, exitCode: Int32) -> [OrderedDictionary<String, Value>] {
        let (started, records, deployments) = state.withLock { ($0.started, $0.hostRecords[recap.host] ?? [], $0.deployments[recap.host]) }
        guard keepsHostRecords, let started else { return [] }
        var part = [started] + records
        if recap.failed == 0 && recap.unreachable == 0 {
            part += (deployments.map { Array($0.values) } ?? []).map { Self.stamped("deployed", deployedFields(recap.host, $0)) }
        }
        part.append(Self.stamped("run_finished", [
            "run": .string(runID), "exit_code": .int(Int(exitCode)), "hosts": .dict([recap.host: Self.counts(recap)]),
        ]))
        return part
    }

    private static func stamped(_ type: String, _ fields: OrderedDictionary<String, Value>) -> OrderedDictionary<String, Value> {
        var record: OrderedDictionary<String, Value> = ["time": .string(AuditTime.now()), "type": .string(type)]
        for (name, value) in fields where record[name] == nil { record[name] = value }
        return record
    }

    private func deployedFields(_ host: String, _ deployment: Deployment) -> OrderedDictionary<String, Value> {
        var fields: OrderedDictionary<String, Value> = [
            "run": .string(runID), "host": .string(host), "project": .string(deployment.project),
            "version": deployment.version.map(Value.string) ?? .null,
        ]
        if !deployment.images.isEmpty { fields["images"] = .list(deployment.images.map(Value.string)) }
        return fields
    }

    private static func counts(_ recap: HostRecap) -> Value {
        .dict([
            "ok": .int(recap.ok), "changed": .int(recap.changed), "unreachable": .int(recap.unreachable),
            "failed": .int(recap.failed), "skipped": .int(recap.skipped), "rescued": .int(recap.rescued),
            "ignored": .int(recap.ignored), "locked": .int(recap.locked), "duration_ms": .int(milliseconds(recap.duration)),
        ])
    }

    /// `deployed` for every host that finished without failure, then `run_finished` or `run_interrupted`;
    /// returns when they are on disk.
    public func finished(
        _ recaps: [HostRecap], exitCode: Int32, duration: Duration, interrupted: Bool, extra: OrderedDictionary<String, Value> = [:]
    ) async {
        let deployments = state.withLock { $0.deployments }
        for recap in recaps where recap.failed == 0 && recap.unreachable == 0 {
            for deployment in deployments[recap.host].map({ Array($0.values) }) ?? [] {
                var fields = deployedFields(recap.host, deployment)
                fields.merge(extra) { current, _ in current }
                write("deployed", fields)
            }
        }
        var hosts = OrderedDictionary<String, Value>()
        for recap in recaps { hosts[recap.host] = Self.counts(recap) }
        write(interrupted ? "run_interrupted" : "run_finished", [
            "run": .string(runID), "exit_code": .int(Int(exitCode)), "duration_ms": .int(Self.milliseconds(duration)),
            "hosts": .dict(hosts),
        ])
        await durable()
    }

    /// `run_interrupted` for a run that quits at once (a second signal): what was recorded until then
    /// stands; the hosts' results since are not known. Returns when it is on disk.
    public func quit(duration: Duration) async {
        write("run_interrupted", [
            "run": .string(runID), "exit_code": .int(99), "duration_ms": .int(Self.milliseconds(duration)), "quit": .bool(true),
            "msg": .string("stopped at once by a second signal: hosts may be partly changed; their results since are not recorded"),
        ])
        await durable()
    }

    /// Returns when every record handed over so far is written and synced.
    public func durable() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let start = queue.withLock { queue -> Bool in
                guard queue.draining || !queue.records.isEmpty else { return false }
                queue.waiters.append(continuation)
                return true
            }
            if !start { continuation.resume() }
        }
    }

    private func write(_ type: String, _ fields: OrderedDictionary<String, Value>) {
        if keepsHostRecords, let host = fields["host"]?.text {
            state.withLock { $0.hostRecords[host, default: []].append(Self.stamped(type, fields)) }
        }
        let schedule = queue.withLock { queue -> Bool in
            queue.records.append((type, fields))
            defer { queue.draining = true }
            return !queue.draining
        }
        if schedule { writer.async { self.drain() } }
    }

    /// Writes what has gathered, then wakes those who waited for it; until nothing is left.
    private func drain() {
        while true {
            let (records, waiters) = queue.withLock { queue in
                defer { queue.records = []; queue.waiters = [] }
                if queue.records.isEmpty { queue.draining = false }
                return (queue.records, queue.waiters)
            }
            if !records.isEmpty && failure == nil {
                do {
                    try log.append(records)
                    for sink in sinks { try sink.append(records) }
                } catch {
                    state.withLock { $0.failure = error }
                    onFailure(error)
                }
            }
            for waiter in waiters { waiter.resume() }
            if records.isEmpty { return }
        }
    }

    static func tail(_ text: String) -> String {
        guard text.count > tailLimit else { return text }
        return "…(\(text.count - tailLimit) characters before)…" + String(text.suffix(tailLimit))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
