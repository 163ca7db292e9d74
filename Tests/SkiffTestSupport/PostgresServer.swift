import Foundation

/// One throwaway PostgreSQL server for the tests that need the shared audit store: a cluster made with
/// `initdb` (trust authentication, no TCP listener: a private Unix socket directory), started once per
/// test process by its first user, and stopped when the process exits. Each test gets a database of its own.
public final class PostgresServer: @unchecked Sendable {
    public static let shared: Result<PostgresServer, Error> = Result { try PostgresServer() }

    let directory: String
    let port: Int
    let bin: String

    private init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw Shell.Failure(command: ["initdb"], status: -1, output: "PostgreSQL is not installed (scripts/install-deps installs it)")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        directory = "/var/tmp/skiff-tests/postgres-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Shell.run(["chown", "postgres:postgres", directory])
        chmod(directory, 0o700)
        port = try TestHost.freePort()
        try Shell.run(["runuser", "-u", "postgres", "--", "\(bin)/initdb", "-D", "\(directory)/data", "--auth=trust", "-U", "postgres", "-E", "UTF8"])
        try Shell.run(["runuser", "-u", "postgres", "--", "\(bin)/pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w",
                       "-o", "-k \(directory) -p \(port) -c listen_addresses=''", "start"])
        Self.running = self
        atexit { PostgresServer.running?.stop() }
    }

    nonisolated(unsafe) private static var running: PostgresServer?

    func stop() {
        _ = try? Shell.run(["runuser", "-u", "postgres", "--", "\(bin)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new, empty database; its connection URL.
    public func database(_ name: String) throws -> String {
        try Shell.run(["runuser", "-u", "postgres", "--", "\(bin)/createdb", "-h", directory, "-p", String(port), name])
        return url(name)
    }

    public func url(_ database: String) -> String { "postgresql:///\(database)?host=\(directory)&port=\(port)&user=postgres" }

    /// Runs SQL in a database (as the server's superuser) and returns what psql printed.
    @discardableResult
    public func sql(_ database: String, _ statement: String) throws -> String {
        try Shell.run(["\(bin)/psql", "-X", "-q", "-A", "-t", "-h", directory, "-p", String(port), "-U", "postgres", "-d", database, "-c", statement])
    }
}
