import OrderedCollections
import SkiffCore

/// One connection per host, opened on first use and closed when the host has no play left in the run
/// (or at the end).
public actor ConnectionPool {
    private let factory: any ConnectionFactory
    private var open: [String: any HostConnection] = [:]
    private var failed: [String: String] = [:]
    /// Hosts whose sudo asked for a password (see `BecomeConnection`).
    nonisolated let sudoPasswordHosts = SudoPasswordHosts()

    public init(factory: any ConnectionFactory) {
        self.factory = factory
    }

    func connection(for host: String, variables: OrderedDictionary<String, Value>) async throws -> any HostConnection {
        if let existing = open[host] { return existing }
        if let reason = failed[host] { throw UnreachableError(reason) }
        do {
            let connection = try await factory.connect(host: host, variables: Dictionary(uniqueKeysWithValues: variables.map { ($0.key, $0.value) }))
            open[host] = connection
            return connection
        } catch let error as UnreachableError {
            failed[host] = error.message
            throw error
        }
    }

    /// `meta: reset_connection`: opens a new connection to the host in place of the open one (new group
    /// memberships then apply) and returns the old one, which the caller closes once the new one holds
    /// what the old one held (the deploy lock). Nil when no connection was open.
    func reconnect(_ host: String, variables: OrderedDictionary<String, Value>) async throws -> (old: any HostConnection, new: any HostConnection)? {
        guard let old = open[host] else { return nil }
        let new = try await factory.connect(host: host, variables: Dictionary(uniqueKeysWithValues: variables.map { ($0.key, $0.value) }))
        open[host] = new
        return (old, new)
    }

    /// Checks a host's connection settings without contacting it (see `ConnectionFactory.check`).
    nonisolated func check(_ host: String, variables: OrderedDictionary<String, Value>) throws {
        try factory.check(host: host, variables: Dictionary(uniqueKeysWithValues: variables.map { ($0.key, $0.value) }))
    }

    /// The connections open now, by host.
    func openConnections() -> [String: any HostConnection] { open }

    /// Closes the host's connection, if one is open (the host has no play left); a later use opens a new one.
    func close(_ host: String) async {
        guard let connection = open.removeValue(forKey: host) else { return }
        await connection.close()
    }

    public func closeAll() async {
        for connection in open.values { await connection.close() }
        open = [:]
    }
}
