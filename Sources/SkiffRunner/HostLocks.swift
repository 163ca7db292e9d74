import OrderedCollections
import SkiffCore
import SkiffModules

/// How a run locks its hosts: the lock's TTL, how long to wait for a held lock, whether to break stale
/// ones, and what the lock file says about this run.
public struct LockSettings: Sendable {
    public var ttlSeconds: Int
    public var waitSeconds: Int
    public var breakStale: Bool
    /// Operator, controller host and pid, CI job, playbook, time (the run id is added).
    public var info: OrderedDictionary<String, Value>

    public init(ttlSeconds: Int = 900, waitSeconds: Int = 0, breakStale: Bool = false, info: OrderedDictionary<String, Value> = [:]) {
        self.ttlSeconds = ttlSeconds
        self.waitSeconds = waitSeconds
        self.breakStale = breakStale
        self.info = info
    }
}

/// The deploy locks one run holds: taken on a host before its first task, refreshed between tasks once
/// a third of the TTL has passed, released at the end of the run (also after a failure or a stop request).
actor HostLocks {
    let settings: LockSettings
    let runID: String
    let emit: @Sendable (RunEvent) -> Void
    private var held: [String: (connection: any HostConnection, beat: ContinuousClock.Instant)] = [:]
    private var refused: [String: Error] = [:]

    init(settings: LockSettings, runID: String, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.settings = settings
        self.runID = runID
        self.emit = emit
    }

    /// Takes the host's lock (once per run); throws when another run holds it and waiting did not help.
    func acquire(_ host: String, connection: any HostConnection, stop: StopRequest) async throws {
        if held[host] != nil { return }
        if let error = refused[host] { throw error }
        var info: OrderedDictionary<String, Value> = ["run": .string(runID)]
        info.merge(settings.info) { current, _ in current }
        let step = DeployLock.acquire(info: Value.dict(info).json, ttlSeconds: settings.ttlSeconds, breakStale: settings.breakStale)
        let deadline = ContinuousClock.now + .seconds(settings.waitSeconds)
        var announcedWait = false
        while true {
            switch try DeployLock.parse(try await connection.run(step, timeout: .seconds(30))) {
            case .acquired:
                held[host] = (connection, .now)
                emit(.lock(host: host, action: "acquired", detail: nil))
                return
            case .broke(let holder):
                held[host] = (connection, .now)
                emit(.lock(host: host, action: "broken", detail: "stale lock of \(holder.description) broken"))
                return
            case .held(let holder):
                let stale = holder.age > settings.ttlSeconds
                if ContinuousClock.now < deadline && !stop.isRequested && !stale {
                    if !announcedWait {
                        emit(.lock(host: host, action: "waiting", detail: holder.description))
                        announcedWait = true
                    }
                    try await _Concurrency.Task.sleep(for: .seconds(1))
                    continue
                }
                let message = stale
                    ? "the deploy lock is stale: \(holder.description); break it with `skiff lock release --host \(host)` or --break-stale-locks"
                    : "the deploy lock is held by \(holder.description)" + (settings.waitSeconds > 0 ? " (waited \(settings.waitSeconds) s)" : "; wait with --lock-wait SECONDS")
                emit(.lock(host: host, action: stale ? "stale" : "refused", detail: holder.description))
                let error = ModuleError(message)
                refused[host] = error
                throw error
            }
        }
    }

    /// Refreshes the heartbeat when a third of the TTL has passed since the last one.
    func heartbeatIfDue(_ host: String) async {
        guard let entry = held[host], ContinuousClock.now - entry.beat >= .seconds(max(1, settings.ttlSeconds / 3)) else { return }
        held[host]?.beat = .now
        _ = try? await entry.connection.run(DeployLock.heartbeat(run: runID), timeout: .seconds(30))
    }

    /// Releases every lock this run holds.
    func releaseAll() async {
        let current = held
        held = [:]
        await withTaskGroup(of: Void.self) { group in
            for (host, entry) in current {
                group.addTask { [runID, emit] in
                    let result = try? await entry.connection.run(DeployLock.release(run: runID), timeout: .seconds(30))
                    emit(.lock(host: host, action: result?.stdoutText.contains("released") == true ? "released" : "lost", detail: nil))
                }
            }
        }
    }
}
