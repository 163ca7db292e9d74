import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffCore
import SkiffInventory
import SkiffModules
import SkiffRunner
import SkiffSSH

/// `skiff lock status|acquire|release`: who holds the deploy lock on each host; freeze deploys; remove a
/// lock (or thaw a freeze) by hand.
struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "Show, freeze (acquire) or release the deploy locks on hosts.",
        subcommands: [LockStatusCommand.self, LockAcquireCommand.self, LockReleaseCommand.self])
}

/// Hosts from an inventory, and how to reach them.
struct LockTargets: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var vault: VaultOptions

    @Option(name: [.customShort("i"), .long], help: "Inventory file, directory or comma-separated host list (repeatable).")
    var inventory: [String] = []

    @Option(name: [.customShort("l"), .long], help: "Only hosts matching this pattern.")
    var limit: String?

    func loadInventory() throws -> Inventory {
        try vault.reading {
            try InventoryLoader().load(sources: inventory.isEmpty ? ConfiguredDefaults.current.inventory : inventory, playbookDirectory: nil)
        }
    }

    /// The hosts `--limit` selects.
    func selected(in loaded: Inventory) throws -> [String] {
        try HostPattern.limit(limit ?? "all", in: loaded)
    }

    /// The hosts named with `--host` (every one must be a host the inventory and `--limit` select: a name
    /// that matches nothing would change nothing, and a group or pattern is not taken as a host), or, when
    /// none is named and `allByDefault`, every selected host. Anything else is invalid input (exit 5).
    func hosts(named names: [String], allByDefault: Bool, nothing: String) throws -> [String] {
        let loaded: Inventory
        let selected: [String]
        do {
            loaded = try loadInventory()
            selected = try self.selected(in: loaded)
        } catch let error as InventoryError {
            Console.error(error.description)
            throw ExitCode(5)
        }
        if names.isEmpty && allByDefault { return selected }
        let unknown = names.filter { !selected.contains($0) }
        guard unknown.isEmpty else {
            for name in unknown {
                let why = loaded.hosts[name] != nil ? "is not selected by --limit"
                    : loaded.groups[name] != nil ? "is a group: name each host with --host (see `skiff lock status`)"
                    : "is not a host in the inventory"
                Console.error("\(name) \(why); \(nothing)")
            }
            throw ExitCode(5)
        }
        return names
    }

    /// Runs `step` on every selected host in parallel; returns each host's result or error, by host name.
    func run(_ step: RemoteStep, hosts only: [String]? = nil) async throws -> [(host: String, result: Result<CommandResult, Error>)] {
        let loaded = try loadInventory()
        var hosts = try selected(in: loaded)
        if let only { hosts = hosts.filter(only.contains) }
        let factory = try connection.connectionFactory(forks: nil)
        return await withTaskGroup(of: (String, Result<CommandResult, Error>).self) { group in
            for host in hosts {
                group.addTask {
                    do {
                        let variables = Dictionary(uniqueKeysWithValues: loaded.variables(of: host).map { ($0.key, $0.value) })
                        let target = try await factory.connect(host: host, variables: variables)
                        // Closed here, awaited: a close left running in a task of its own raced the process's exit.
                        do {
                            let result = try await target.run(step, timeout: .seconds(30))
                            await target.close()
                            return (host, .success(result))
                        } catch {
                            await target.close()
                            return (host, .failure(error))
                        }
                    } catch {
                        return (host, .failure(error))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }
        }
    }
}

struct LockStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Who holds the deploy lock on each host.")

    @OptionGroup var targets: LockTargets
    @Option(help: "Seconds without a heartbeat after which a lock counts as stale (default 900).") var lockTTL: Int = 900

    func run() async throws {
        var rows = [["HOST", "LOCK", "HOLDER"]]
        for (host, result) in try await targets.run(DeployLock.status()) {
            switch result {
            case .success(let output):
                if let holder = DeployLock.holder(output) {
                    rows.append([host, holder.isStale(ttlSeconds: lockTTL) ? "stale" : holder.isFrozen ? "frozen" : "held", holder.description])
                } else {
                    rows.append([host, "free", ""])
                }
            case .failure(let error):
                rows.append([host, "unknown", "\(error)"])
            }
        }
        Console.out(Table.render(rows))
    }
}

struct LockReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Remove the deploy lock on hosts, whoever holds it, or thaw a freeze (recorded in the audit log).")

    @OptionGroup var targets: LockTargets
    @Option(name: .long, help: "The host to release (repeatable).") var host: [String]
    @Option(name: .long, help: "The audit log to record the release in.") var auditLog: String?

    func validate() throws {
        guard !host.isEmpty else { throw ValidationError("name the host(s) with --host") }
    }

    func run() async throws {
        _ = try targets.hosts(named: host, allByDefault: false, nothing: "nothing was released")
        let recorder: AuditRecorder
        do {
            recorder = AuditRecorder(log: try AuditLog(path: AuditLocation.resolve(option: auditLog)), runID: RunID.make()) { _ in }
            try recorder.started(["command": "lock release", "operator": .string(RunStartedRecord.operatorName()),
                                  "ci": CIContext.current().map(Value.dict) ?? .null, "hosts": .list(host.map(Value.string))])
        } catch {
            Console.error("\(error.message): nothing is released without its audit record")
            throw ExitCode(1)
        }
        var status: Int32 = 0
        for (name, result) in try await targets.run(DeployLock.forceRelease(), hosts: host) {
            switch result {
            case .success(let output):
                let holder = DeployLock.holder(output)
                // Releasing a freeze thaws deploys on the host.
                let thawed = holder?.isFrozen == true
                recorder.record(thawed ? "lock_thawed" : "lock_released_by_operator",
                                ["host": .string(name), "message": .string(holder?.description ?? "no lock was held")])
                Console.out("\(name): " + (holder.map { (thawed ? "thawed " : "released the lock of ") + $0.description } ?? "no lock was held"))
            case .failure(let error):
                Console.error("\(name): \(error)")
                status = 4
            }
        }
        await recorder.finished([], exitCode: status, duration: .zero, interrupted: false)
        if status != 0 { throw ExitCode(status) }
    }
}
