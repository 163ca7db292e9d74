#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffPlaybook
import SkiffTemplate
import Synchronization

/// Runs playbooks: plays in order; in each play, hosts in parallel up to `forks` (in `serial` batches
/// when asked). Under the `linear` strategy (the default) every host of a batch finishes a task before
/// any host starts the next; under `strategy: free` each host runs through its tasks on its own.
/// Unreachable hosts are dropped from later plays. Every result is an event.
public struct PlaybookRunner: Sendable {
    public let inventory: Inventory
    public let settings: RunSettings
    public let connections: ConnectionPool
    public let emit: @Sendable (RunEvent) -> Void
    /// The inventory's and the extra vars' templates, which `FactUsage` reads for every play.
    private let factScan: [String]

    public init(inventory: Inventory, settings: RunSettings, connections: ConnectionPool, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.inventory = inventory
        self.settings = settings
        self.connections = connections
        self.emit = emit
        factScan = settings.gatherFacts == .auto ? FactUsage.strings(of: inventory, extraVars: settings.extraVars) : []
    }

    /// Runs every play and returns each host's counts (in the order hosts were first seen).
    public func run(_ playbooks: [Playbook]) async throws -> [HostRecap] {
        // A play's strategy, and how each host is reached (SSH options, ssh_config), are checked before
        // any host is contacted.
        for playbook in playbooks {
            for play in playbook.plays { _ = try Strategy.of(play) }
        }
        try checkConnections(playbooks)
        let recorder = RecapRecorder()
        let emitAndCount: @Sendable (RunEvent) -> Void = { event in
            recorder.record(event)
            emit(event)
        }
        var dropped = Set<String>()
        var stopped = false
        let states = HostStates(inventory: inventory)
        // Check mode changes nothing on the hosts, the lock included.
        let locks = settings.lock.flatMap { settings.checkMode ? nil : HostLocks(settings: $0, runID: settings.runID, emit: emitAndCount) }
        if let locks, (settings.lock?.waitSeconds ?? 0) > 0, !settings.stop.isRequested {
            // A run that may wait for locks takes them all before its first task (see `HostLocks.acquireAll`).
            let targets = try lockTargets(playbooks, states: states)
            await locks.acquireAll(Array(targets.keys), forks: settings.forks, stop: settings.stop) { [connections] host in
                try await connections.connection(for: host, variables: targets[host] ?? [:])
            }
        }
        // Facts gathered in a play stay for the later ones (`hostvars[…].ansible_facts`): a play gathers
        // them when it or any later play reads them.
        let reads = playbooks.flatMap(\.plays).map { settings.gatherFacts == .always || FactUsage.needed(by: $0, alsoIn: factScan) }
        var playIndex = 0
        for playbook in playbooks {
            for play in playbook.plays {
                if stopped || _Concurrency.Task.isCancelled || settings.stop.isRequested { break }
                let factsRead = reads[playIndex...].contains(true)
                playIndex += 1
                let ended = try await run(play, playbook: playbook, factsRead: factsRead, skipping: dropped, states: states, locks: locks,
                                          emit: emitAndCount)
                // As ansible-playbook: a host that failed or became unreachable takes no part in later plays
                // (nor does one whose deploy lock was refused).
                dropped.formUnion(ended.unreachable)
                dropped.formUnion(ended.locked)
                dropped.formUnion(ended.failed)
                // Every host of the play failed: the rest of the run does not start (ansible-playbook's
                // "NO MORE HOSTS LEFT").
                stopped = ended.stopsRun || ended.noHostLeft
                if !stopped {
                    let done = finished(after: playIndex, of: playbooks, played: ended.hosts, dropped: dropped)
                    await retire(done, recaps: recorder.recaps, locks: locks, emit: emitAndCount)
                }
            }
        }
        if let finishHost = settings.finishHost { await finish(finishHost, recaps: recorder.recaps, emit: emitAndCount) }
        await locks?.releaseAll()
        await connections.closeAll()
        let recaps = recorder.recaps
        emit(.recap(recaps))
        return recaps
    }

    /// The hosts of a play that no later play selects, and the hosts dropped from the run: their
    /// connections are no longer needed. A later play whose hosts cannot be told now keeps every host.
    private func finished(after played: Int, of playbooks: [Playbook], played hosts: [String], dropped: Set<String>) -> Set<String> {
        var later = Set<String>()
        for play in playbooks.flatMap(\.plays).dropFirst(played) {
            guard let selected = try? select(play).hosts else { return dropped }
            later.formUnion(selected)
        }
        return Set(hosts).subtracting(later).union(dropped)
    }

    /// Ends the hosts' part in the run as the run's end does, for these hosts now: `finishHost`, the deploy
    /// lock released, the connection closed. Threads and descriptors then follow the hosts still in play.
    private func retire(_ hosts: Set<String>, recaps: [HostRecap], locks: HostLocks?, emit: @escaping @Sendable (RunEvent) -> Void) async {
        let open = await connections.openConnections()
        let closing = hosts.filter { open[$0] != nil }
        guard !closing.isEmpty else { return }
        if let finishHost = settings.finishHost {
            await finish(finishHost, recaps: recaps.filter { closing.contains($0.host) }, emit: emit)
        }
        // `forks` at a time, as the hosts' tasks ran: each close is a job on the host's connection.
        await Self.forEach(Array(closing), limit: settings.forks) { [connections] host in
            await locks?.release(host)
            await connections.close(host)
        }
    }

    /// Runs `body` for every item, `limit` at a time.
    static func forEach<T: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async -> Void) async {
        var waiting = items.reversed() as [T]
        await withTaskGroup(of: Void.self) { group in
            func start() {
                guard let item = waiting.popLast() else { return }
                group.addTask { await body(item) }
            }
            for _ in 0..<min(max(1, limit), items.count) { start() }
            while await group.next() != nil { start() }
        }
    }

    /// Runs `finishHost` for every host with an open connection, `forks` at a time; a host it fails gets a
    /// failed result.
    private func finish(
        _ finishHost: @escaping @Sendable (HostRecap, any HostConnection) async -> String?, recaps: [HostRecap],
        emit: @escaping @Sendable (RunEvent) -> Void
    ) async {
        let open = await connections.openConnections()
        let due = recaps.compactMap { recap in open[recap.host].map { (recap, $0) } }
        await Self.forEach(due, limit: settings.forks) { recap, connection in
            let started = ContinuousClock.now
            if let problem = await finishHost(recap, connection) {
                emit(.hostResult(HostResult(host: recap.host, task: "Audit log on the host", status: .failed, message: problem, duration: .now - started)))
            }
        }
    }

    /// What a play's keywords are templated with before any host is chosen: the play's vars and the extra vars.
    private func playContext(_ play: Play) -> TemplateContext {
        var variables = play.vars
        variables.merge(settings.extraVars) { $1 }
        return TemplateContext(variables: variables)
    }

    /// The play's host pattern (rendered; a list, as `hosts: "{{ targets }}"` may give, is joined with
    /// commas as ansible-playbook does) and the hosts it selects, within `--limit`.
    private func select(_ play: Play) throws -> (pattern: String, hosts: [String]) {
        let rendered = try ValueRendering.render(.string(play.hosts), playContext(play), at: play.location)
        let pattern = rendered.listValue.map { $0.map(\.text).joined(separator: ",") } ?? rendered.text
        var hosts = try HostPattern.select(pattern, in: inventory, at: play.location)
        if let limit = settings.limit { hosts = hosts.filter(limit.contains) }
        return (pattern, hosts)
    }

    func hostVariables(_ play: Play, playbook: Playbook, hosts: [String], states: HostStates) -> HostVariables {
        // An absolute path, as ansible-playbook's playbook_dir.
        var directory = PathText.parent(playbook.path)
        if !directory.hasPrefix("/") {
            let current = FileManager.default.currentDirectoryPath
            directory = directory.isEmpty || directory == "." ? current : PathText.appending(current, directory)
        }
        var variables = HostVariables(
            inventory: inventory, play: play, extraVars: settings.extraVars, playHosts: hosts, checkMode: settings.checkMode,
            playbookDirectory: PathText.resolved(directory), states: states)
        variables.tags = settings.tags
        return variables
    }

    /// Checks every host each play selects, with the variables that play connects with, without contacting
    /// it; throws `ConnectionSettingsError` for the first host whose settings are wrong.
    private func checkConnections(_ playbooks: [Playbook]) throws {
        let states = HostStates(inventory: inventory)
        for playbook in playbooks {
            for play in playbook.plays {
                let hosts = try select(play).hosts
                guard !hosts.isEmpty else { continue }
                let variables = hostVariables(play, playbook: playbook, hosts: hosts, states: states)
                for host in hosts { try connections.check(host, variables: variables.connectionVariables(for: host)) }
            }
        }
    }

    /// Every host the run's plays select, with the variables its first play connects with.
    private func lockTargets(_ playbooks: [Playbook], states: HostStates) throws -> OrderedDictionary<String, OrderedDictionary<String, Value>> {
        var targets: OrderedDictionary<String, OrderedDictionary<String, Value>> = [:]
        for playbook in playbooks {
            for play in playbook.plays {
                let hosts = try select(play).hosts
                guard hosts.contains(where: { targets[$0] == nil }) else { continue }
                let variables = hostVariables(play, playbook: playbook, hosts: hosts, states: states)
                for host in hosts where targets[host] == nil { targets[host] = variables.context(for: host).variables }
            }
        }
        return targets
    }

    /// Runs one play; returns its hosts, those that became unreachable, failed or were refused the lock, and whether the run
    /// stops here (a task notified a handler that does not exist).
    private func run(
        _ play: Play, playbook: Playbook, factsRead: Bool, skipping dropped: Set<String>, states: HostStates, locks: HostLocks?,
        emit: @escaping @Sendable (RunEvent) -> Void
    ) async throws -> (hosts: [String], unreachable: Set<String>, failed: Set<String>, locked: Set<String>, stopsRun: Bool, noHostLeft: Bool) {
        var play = play
        play.keywords["gather_facts"] = .bool(try PlayFlag.value(play.keywords["gather_facts"], named: "gather_facts", default: true,
                                                                 context: playContext(play), at: play.location))
        let (pattern, selected) = try select(play)
        let hosts = selected.filter { !dropped.contains($0) }
        let name = play.name ?? pattern
        emit(.playStarted(name: name, pattern: pattern, hosts: hosts))
        if play.gatherFacts, !factsRead, !hosts.isEmpty {
            play.keywords["gather_facts"] = .bool(false)
            emit(.note("play '\(name)': facts not gathered, no task of this play or a later one reads them (--gather-facts always gathers them)"))
        }
        guard !hosts.isEmpty else {
            emit(.warning("play '\(name)': no hosts matched '\(pattern)', skipping"))
            return ([], [], [], [], false, false)
        }
        play = try readingTemplatedVarsFiles(of: play, playbook: playbook, hosts: hosts, states: states)
        let variables = hostVariables(play, playbook: playbook, hosts: hosts, states: states)
        let strategy = try Strategy.of(play)
        var unreachable = Set<String>()
        var failed = Set<String>()
        var locked = Set<String>()
        var failedSoFar = 0
        for batch in Batches.split(hosts, serial: play.keywords["serial"]) where !settings.stop.isRequested {
            let (outcomes, endsPlay) = await runBatch(batch, play: play, strategy: strategy, variables: variables, locks: locks, emit: emit)
            unreachable.formUnion(outcomes.filter { $0.value == .unreachable }.map(\.key))
            failed.formUnion(outcomes.filter { $0.value == .failed || $0.value == .stopsRun }.map(\.key))
            locked.formUnion(outcomes.filter { $0.value == .locked }.map(\.key))
            // A host whose lock was refused did not fail: it does not count toward max_fail_percentage.
            failedSoFar += outcomes.values.filter { $0 != .ok && $0 != .locked }.count
            if outcomes.values.contains(.stopsRun) {
                emit(.warning("play '\(name)': stopping the run, a task notified a handler that does not exist"))
                return (hosts, unreachable, failed, locked, true, false)
            }
            // `meta: end_play`: the play's later batches do not start.
            if endsPlay { break }
            if Batches.shouldStop(failed: failedSoFar, total: hosts.count, play: play) {
                emit(.warning("play '\(name)': stopping, \(failedSoFar) of \(hosts.count) hosts failed"))
                break
            }
        }
        return (hosts, unreachable, failed, locked, false, unreachable.union(failed).union(locked).isSuperset(of: hosts))
    }

    /// How a host left a batch; `stopsRun`: it failed in a way that stops the whole run.
    enum HostEnd: Sendable { case ok, failed, unreachable, locked, stopsRun }

    /// Runs one batch. Under `free`, `forks` hosts run at a time, each through the whole play. Under
    /// `linear`, every host of the batch takes part from the start and `Lockstep` lets `forks` of them
    /// run a task at a time. `endsPlay`: a host ran `meta: end_play`.
    private func runBatch(
        _ hosts: [String], play: Play, strategy: Strategy, variables: HostVariables, locks: HostLocks?,
        emit: @escaping @Sendable (RunEvent) -> Void
    ) async -> (ends: [String: HostEnd], endsPlay: Bool) {
        await withTaskGroup(of: (String, HostEnd).self) { group in
            var next = 0
            var results: [String: HostEnd] = [:]
            let settings = self.settings
            let connections = self.connections
            let coordination = BatchCoordination()
            // Under linear, more than max_fail_percentage of the batch failed stops the batch before its next
            // task, as ansible-playbook's linear strategy does; under free, it stops later batches only.
            let lockstep = strategy == .linear ? Lockstep(hosts: hosts, forks: settings.forks) { failed in
                guard Batches.exceedsMaxFailPercentage(failed: failed, total: hosts.count, play: play) else { return }
                coordination.fatal.request()
            } : nil
            func start() {
                guard next < hosts.count else { return }
                let host = hosts[next]
                next += 1
                group.addTask {
                    let run = HostPlayRun(
                        host: host, play: play, variables: variables, settings: settings, connections: connections,
                        coordination: coordination, locks: locks, lockstep: lockstep, emit: emit)
                    let ok = await run.run()
                    lockstep?.leave(host, failed: !ok && !run.unreachable && !run.lockRefused)
                    return (host, run.unreachable ? .unreachable : run.lockRefused ? .locked : run.stopsRun ? .stopsRun : ok ? .ok : .failed)
                }
            }
            let running = lockstep == nil ? min(max(1, settings.forks), hosts.count) : hosts.count
            for _ in 0..<running { start() }
            while let (host, end) = await group.next() {
                results[host] = end
                start()
            }
            return (results, coordination.endsLaterBatches.isRequested)
        }
    }
}

/// Counts results per host as they happen.
final class RecapRecorder: Sendable {
    private let state = Mutex<(order: [String], recaps: [String: HostRecap])>(([], [:]))

    func record(_ event: RunEvent) {
        if case .rescued(let host) = event {
            state.withLock { state in
                guard let recap = state.recaps[host], recap.failed > 0 else { return }
                state.recaps[host]?.failed -= 1
                state.recaps[host]?.rescued += 1
            }
            return
        }
        // A loop's items are shown one by one; the loop's overall result is what counts.
        guard case .hostResult(let result) = event, result.item == nil else { return }
        state.withLock { state in
            if state.recaps[result.host] == nil {
                state.order.append(result.host)
                state.recaps[result.host] = HostRecap(host: result.host)
            }
            state.recaps[result.host]?.count(result.status)
            state.recaps[result.host]?.duration += result.duration
        }
    }

    /// Each host's counts, by host name (as ansible-playbook's recap lists them).
    var recaps: [HostRecap] {
        state.withLock { state in state.order.sorted().compactMap { state.recaps[$0] } }
    }
}

/// `serial` (a number, a percentage, or a list of them) and `max_fail_percentage`/`any_errors_fatal`.
enum Batches {
    static func split(_ hosts: [String], serial: Value?) -> [[String]] {
        let sizes: [Value]
        switch serial {
        case nil, .null?: return [hosts]
        case .list(let items)?: sizes = items
        case let value?: sizes = [value]
        }
        var batches: [[String]] = []
        var index = 0
        var sizeIndex = 0
        while index < hosts.count {
            let spec = sizes[min(sizeIndex, sizes.count - 1)]
            var size: Int
            if case .string(let text) = spec, text.hasSuffix("%"), let percent = Double(text.dropLast()) {
                size = Int((Double(hosts.count) * percent / 100).rounded(.down))
            } else {
                size = spec.intValue ?? hosts.count
            }
            size = max(1, size)
            batches.append(Array(hosts[index..<min(hosts.count, index + size)]))
            index += size
            sizeIndex += 1
        }
        return batches
    }

    static func shouldStop(failed: Int, total: Int, play: Play) -> Bool {
        guard failed > 0 else { return false }
        if play.keywords["any_errors_fatal"].map({ $0 == .bool(true) || $0 == .string("yes") || $0 == .string("true") }) == true { return true }
        return exceedsMaxFailPercentage(failed: failed, total: total, play: play)
    }

    /// Whether more than `max_fail_percentage` of `total` hosts failed (false when the play sets none).
    static func exceedsMaxFailPercentage(failed: Int, total: Int, play: Play) -> Bool {
        guard failed > 0, total > 0, let limit = play.keywords["max_fail_percentage"] else { return false }
        let percent = limit.intValue.map(Double.init) ?? Double(limit.text.replacingAll("%", with: "")) ?? 100
        return Double(failed) / Double(total) * 100 > percent
    }
}
