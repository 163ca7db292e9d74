import ArgumentParser
import SkiffCore
import SkiffInventory
import SkiffRunner
import SkiffSSH

/// Connects to each host (at most `forks` at once), does `work` over the connection, and closes it. Every
/// host's outcome comes back, in the order the hosts were named.
///
/// Hosts are `[user@]address[:port]`, or — with an inventory (`-i`, as `ansible PATTERN -a …` takes
/// one) — host patterns (`web`, `app:!app3`, `web[0:2]`), each host reached with its inventory variables
/// (`ansible_host`, `ansible_port`, `ansible_user`, `ansible_ssh_private_key_file`, …).
struct HostRun {
    let connection: ConnectionOptions
    let vault: VaultOptions
    let hosts: [String]
    let inventory: [String]
    let forks: Int

    static func validate(hosts: [String], forks: Int, inventory: [String]) throws {
        guard !hosts.isEmpty else { throw ValidationError(inventory.isEmpty ? "name at least one host" : "name at least one host pattern") }
        try validate(forks: forks)
        guard inventory.isEmpty else { return }
        for host in hosts where HostSpec(host) == nil {
            throw ValidationError("'\(host)' is not [user@]address[:port] (give -i INVENTORY to name inventory hosts and patterns)")
        }
    }

    /// `-f` is at least 1 (invalid input, exit 5): checked by every command that works on hosts through
    /// `HostRun`, when it parses its options or, at the latest, before the first host.
    static func validate(forks: Int) throws {
        guard forks > 0 else { throw ValidationError("--forks must be at least 1") }
    }

    /// A host to work on: its name and how to open a connection to it.
    private struct Target: Sendable {
        let name: String
        let connect: @Sendable () async throws -> any HostConnection
    }

    func run<Value: Sendable>(_ work: @escaping @Sendable (any HostConnection) async throws -> Value) async throws
        -> (names: [String], outcomes: [Result<Value, Error>])
    {
        try Self.validate(forks: forks)
        let targets = try inventory.isEmpty ? addressTargets() : inventoryTargets()
        let outcomes = await ParallelHosts(limit: forks).run(targets) { target in
            let connection = try await target.connect()
            do {
                let value = try await work(connection)
                await connection.close()
                return value
            } catch {
                await connection.close()
                throw error
            }
        }
        return (targets.map(\.name), outcomes)
    }

    /// Hosts named `[user@]address[:port]`, reached as an inventory host with those variables would be
    /// (ssh_config and `--ssh-common-args` apply).
    private func addressTargets() throws -> [Target] {
        let factory = try connection.connectionFactory(forks: forks)
        let specs = hosts.compactMap { HostSpec($0) }
        for spec in specs { try Self.check(spec.name, spec.variables, factory) }
        return specs.map { spec in
            Target(name: spec.name) { try await factory.connect(host: spec.name, variables: spec.variables) }
        }
    }

    /// The hosts the patterns select, in inventory order, each once. An unknown pattern is invalid input.
    private func inventoryTargets() throws -> [Target] {
        let loaded: Inventory
        var names: [String] = []
        var seen = Set<String>()
        do {
            loaded = try vault.reading { try InventoryLoader().load(sources: inventory, playbookDirectory: nil) }
            for pattern in hosts {
                for host in try HostPattern.select(pattern, in: loaded) where seen.insert(host).inserted { names.append(host) }
            }
        } catch let error as InventoryError {
            throw ValidationError(error.description)  // invalid input: exit 5
        }
        guard !names.isEmpty else { throw ValidationError("no inventory host matches \(hosts.joined(separator: " "))") }
        let factory = try connection.connectionFactory(forks: forks)
        let targets = names.map { host in (host, Dictionary(uniqueKeysWithValues: loaded.variables(of: host).map { ($0.key, $0.value) })) }
        for (host, variables) in targets { try Self.check(host, variables, factory) }
        return targets.map { host, variables in
            Target(name: host) { try await factory.connect(host: host, variables: variables) }
        }
    }

    /// Wrong SSH settings (an unknown `-o` option, a malformed value, an ssh_config error) are invalid
    /// input, found before any host is contacted: exit 5, naming the host and the variable.
    private static func check(_ host: String, _ variables: [String: Value], _ factory: SSHConnectionFactory) throws {
        do {
            try factory.check(host: host, variables: variables)
        } catch let error as ConnectionSettingsError {
            throw ValidationError(error.message)
        }
    }
}
