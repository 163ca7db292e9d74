import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffCore
import SkiffInventory
import SkiffRunner

/// `skiff lock acquire -m REASON`: freezes deploys on hosts. Each host gets a deploy lock that no run
/// holds, saying who froze it and why; every deploy there is refused (exit 75, naming the reason) until
/// `skiff lock release` thaws it. It has no TTL unless `--ttl` gives one. Freezes are audit records.
struct LockAcquireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acquire",
        abstract: "Freeze deploys on hosts: hold their deploy lock with a reason until `skiff lock release` (recorded in the audit log).",
        discussion: "Exit status: 0 every host frozen, 75 a host's lock is already held, 4 a host was unreachable, 5 invalid input.")

    @OptionGroup var targets: LockTargets
    @Option(name: [.customShort("m"), .long], help: "Why deploys are frozen (shown to every refused deploy).") var message: String
    @Option(name: .long, help: "The host to freeze (repeatable; default: every host --limit selects).") var host: [String] = []
    @Option(name: .long, help: "Seconds after which the freeze counts as stale (default: never).") var ttl: Int?
    @Option(name: .long, help: "The audit log to record the freeze in.") var auditLog: String?

    func validate() throws {
        guard !message.trimmingWhitespaceAndNewlines().isEmpty else { throw ValidationError("say why with -m REASON") }
        if let ttl, ttl < 1 { throw ValidationError("--ttl must be at least 1 second") }
    }

    func run() async throws {
        let hosts = try targets.hosts(named: host, allByDefault: true, nothing: "nothing was frozen")
        let runID = RunID.make()
        let operatorName = RunStartedRecord.operatorName()
        let recorder: AuditRecorder
        do {
            recorder = AuditRecorder(log: try AuditLog(path: AuditLocation.resolve(option: auditLog)), runID: runID) { _ in }
            try recorder.started(["command": "lock acquire", "operator": .string(operatorName),
                                  "ci": CIContext.current().map(Value.dict) ?? .null, "hosts": .list(hosts.map(Value.string)),
                                  "reason": .string(message)])
        } catch {
            Console.error("\(error.message): nothing is frozen without its audit record")
            throw ExitCode(1)
        }
        var info: OrderedDictionary<String, Value> = [
            "run": .string(runID), "frozen": .bool(true), "reason": .string(message), "operator": .string(operatorName),
            "ci_job": .string(CIContext.current().map { CIContext.label(.dict($0)) } ?? ""), "time": .string(AuditTime.now()),
        ]
        if let ttl { info["ttl"] = .int(ttl) }
        var status: Int32 = 0
        for (name, result) in try await targets.run(DeployLock.freeze(info: Value.dict(info).json, ttlSeconds: ttl), hosts: hosts) {
            switch result.flatMap({ output in Result { try DeployLock.parse(output) } }) {
            case .success(.held(let holder)):
                recorder.record("lock_freeze_refused", ["host": .string(name), "message": .string(holder.description)])
                Console.error("\(name): not frozen, the deploy lock is held by \(holder.description)")
                if status == 0 { status = HostRecap.lockRefusedExitCode }
            case .success:
                recorder.record("lock_frozen", ["host": .string(name), "reason": .string(message), "ttl": ttl.map(Value.int) ?? .null])
                Console.out("\(name): deploys frozen (\(message))")
            case .failure(let error):
                Console.error("\(name): \(error)")
                status = 4
            }
        }
        await recorder.finished([], exitCode: status, duration: .zero, interrupted: false)
        if status != 0 { throw ExitCode(status) }
    }
}
