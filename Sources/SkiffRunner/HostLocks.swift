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
        let deadline = ContinuousClock.now + .seconds(settings.waitSeconds)
        var announcedWait = false
        while true {
            let attempt = try DeployLock.parse(try await connection.run(acquireStep, timeout: .seconds(30)))
            if take(host, attempt, connection: connection) { return }
            guard case .held(let holder) = attempt else { return }
            let stale = holder.isStale(ttlSeconds: settings.ttlSeconds)
            // A freeze is not waited for: it lasts until someone thaws it.
            if ContinuousClock.now < deadline && !stop.isRequested && !stale && !holder.isFrozen {
                if !announcedWait {
                    emit(.lock(host: host, action: "waiting", detail: holder.description))
                    announcedWait = true
                }
                try await _Concurrency.Task.sleep(for: .seconds(1))
                continue
            }
            throw refuse(host, holder)
        }
    }

    /// Takes the locks of the hosts a run that may wait (`--lock-wait`) will touch, before its first task,
    /// so that two such runs cannot each hold a lock the other waits for. Every free lock is tried at once
    /// (up to `forks` hosts in parallel); when some are held, the locks taken on hosts whose names sort
    /// after the first held one are given back, the run waits for that one, and goes on the same way with
    /// the hosts after it. A waiting run thus holds only hosts that sort before the one it waits for, and
    /// no two runs can wait for each other. A host refused here fails at its first task; one that cannot
    /// be reached is reported unreachable there.
    func acquireAll(_ hosts: [String], forks: Int, stop: StopRequest,
                    connect: @escaping @Sendable (String) async throws -> any HostConnection) async {
        var pending = Array(Set(hosts)).sorted().filter { held[$0] == nil && refused[$0] == nil }
        while !pending.isEmpty && !stop.isRequested {
            let answers = await tryOnce(pending, forks: forks, connect: connect)
            var waitFor: (host: String, connection: any HostConnection)?
            var takenNow: [String] = []
            for (host, answer) in answers {
                switch answer {
                case .success(let (connection, attempt)):
                    if take(host, attempt, connection: connection) {
                        takenNow.append(host)
                    } else if case .held(let holder) = attempt {
                        if holder.isStale(ttlSeconds: settings.ttlSeconds) || holder.isFrozen || settings.waitSeconds <= 0 {
                            _ = refuse(host, holder)
                        } else if waitFor == nil {
                            waitFor = (host, connection)
                        }
                    }
                case .failure(let error as ModuleError):
                    refused[host] = error
                case .failure:
                    // Unreachable: the host's first task reports it.
                    break
                }
            }
            guard let waitFor else { return }
            await giveBack(takenNow.filter { $0 > waitFor.host }, before: waitFor.host)
            do {
                try await acquire(waitFor.host, connection: waitFor.connection, stop: stop)
            } catch {
                if refused[waitFor.host] == nil { refused[waitFor.host] = error }
            }
            let settled = Set(answers.filter { if case .failure = $0.1 { return true } else { return false } }.map(\.0))
            pending = pending.filter { $0 > waitFor.host && held[$0] == nil && refused[$0] == nil && !settled.contains($0) }
        }
    }

    private var acquireStep: RemoteStep {
        var info: OrderedDictionary<String, Value> = ["run": .string(runID)]
        info.merge(settings.info) { current, _ in current }
        return DeployLock.acquire(info: Value.dict(info).json, run: runID, ttlSeconds: settings.ttlSeconds, breakStale: settings.breakStale)
    }

    /// One attempt on each host (without waiting), in host-name order.
    private func tryOnce(_ hosts: [String], forks: Int, connect: @escaping @Sendable (String) async throws -> any HostConnection)
        async -> [(String, Result<(any HostConnection, DeployLock.Attempt), Error>)]
    {
        let step = acquireStep
        return await withTaskGroup(of: (String, Result<(any HostConnection, DeployLock.Attempt), Error>).self) { group in
            var next = 0
            func start() {
                guard next < hosts.count else { return }
                let host = hosts[next]
                next += 1
                group.addTask {
                    do {
                        let connection = try await connect(host)
                        return (host, .success((connection, try DeployLock.parse(try await connection.run(step, timeout: .seconds(30))))))
                    } catch {
                        return (host, .failure(error))
                    }
                }
            }
            for _ in 0..<min(max(1, forks), hosts.count) { start() }
            var answers: [(String, Result<(any HostConnection, DeployLock.Attempt), Error>)] = []
            while let answer = await group.next() {
                answers.append(answer)
                start()
            }
            return answers.sorted { $0.0 < $1.0 }
        }
    }

    /// Records a taken (or broken) lock; false when another run holds it.
    private func take(_ host: String, _ attempt: DeployLock.Attempt, connection: any HostConnection) -> Bool {
        switch attempt {
        case .acquired:
            held[host] = (connection, .now)
            emit(.lock(host: host, action: "acquired", detail: nil))
            return true
        case .broke(let holder):
            held[host] = (connection, .now)
            emit(.lock(host: host, action: "broken", detail: "stale lock of \(holder.description) broken"))
            return true
        case .held:
            return false
        }
    }

    /// Fails the host for good: its lock is held (or stale, or deploys are frozen there) and waiting did
    /// not help. Nothing runs on the host; the run does not count it as failed.
    private func refuse(_ host: String, _ holder: DeployLock.Holder) -> Error {
        let stale = holder.isStale(ttlSeconds: settings.ttlSeconds)
        let message = holder.isFrozen
            ? "the deploy lock is held by \(holder.description): deploys are frozen on this host; thaw with `skiff lock release --host \(host)`"
            : stale
            ? "the deploy lock is stale: \(holder.description); break it with `skiff lock release --host \(host)` or --break-stale-locks"
            : "the deploy lock is held by \(holder.description)" + (settings.waitSeconds > 0 ? " (waited \(settings.waitSeconds) s)" : "; wait with --lock-wait SECONDS")
        emit(.lock(host: host, action: stale ? "stale" : "refused", detail: holder.description))
        let error = LockRefusedError(message)
        refused[host] = error
        return error
    }

    /// Releases locks just taken, to take them again after `host` (host-name order).
    private func giveBack(_ hosts: [String], before host: String) async {
        let entries = hosts.compactMap { name in held.removeValue(forKey: name).map { (name, $0.connection) } }
        await withTaskGroup(of: Void.self) { group in
            for (name, connection) in entries {
                group.addTask { [runID, emit] in
                    _ = try? await connection.run(DeployLock.release(run: runID), timeout: .seconds(30))
                    emit(.lock(host: name, action: "released", detail: "given back until the lock of \(host) is taken (locks are waited for in host-name order)"))
                }
            }
        }
    }

    /// Refreshes the heartbeat when a third of the TTL has passed since the last one.
    func heartbeatIfDue(_ host: String) async {
        guard let entry = held[host], ContinuousClock.now - entry.beat >= .seconds(max(1, settings.ttlSeconds / 3)) else { return }
        held[host]?.beat = .now
        _ = try? await entry.connection.run(DeployLock.heartbeat(run: runID), timeout: .seconds(30))
    }

    /// After `meta: reset_connection`: the host's lock is held through the new connection from now on.
    func adopt(_ host: String, connection: any HostConnection) async {
        guard let entry = held[host] else { return }
        held[host] = (connection, entry.beat)
        _ = try? await connection.run(DeployLock.adopt(run: runID), timeout: .seconds(30))
    }

    /// Releases the host's lock, if this run holds it (the host has no play left).
    func release(_ host: String) async {
        guard let entry = held.removeValue(forKey: host) else { return }
        let result = try? await entry.connection.run(DeployLock.release(run: runID), timeout: .seconds(30))
        emit(.lock(host: host, action: result?.stdoutText.contains("released") == true ? "released" : "lost", detail: nil))
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

/// A host's deploy lock could not be taken: another run holds it (or its lock is stale), or deploys are
/// frozen there (`skiff lock acquire`). Nothing ran on the host, and the deploy did not fail there.
public struct LockRefusedError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
