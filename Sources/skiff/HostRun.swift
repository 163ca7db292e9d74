import ArgumentParser
import SkiffSSH

/// Connects to each named host (at most `forks` at once), does `work` over the connection, and closes it.
/// Every host's outcome comes back, in the order the hosts were named.
struct HostRun {
    let connection: ConnectionOptions
    let hosts: [String]
    let forks: Int

    static func validate(hosts: [String], forks: Int) throws {
        guard !hosts.isEmpty else { throw ValidationError("name at least one host") }
        guard forks > 0 else { throw ValidationError("--forks must be at least 1") }
        for host in hosts where HostSpec(host) == nil {
            throw ValidationError("'\(host)' is not [user@]address[:port]")
        }
    }

    func run<Value: Sendable>(_ work: @escaping @Sendable (SSHConnection) async throws -> Value) async throws
        -> (targets: [SSHTarget], outcomes: [Result<Value, Error>])
    {
        let options = connection.sshOptions()
        let credentials = try connection.credentials()
        let knownHosts = try KnownHosts.load(files: options.knownHostsFiles)
        let user = connection.defaultUser
        let targets = hosts.compactMap { HostSpec($0)?.target(defaultUser: user) }
        let outcomes = await ParallelHosts(limit: forks).run(targets) { target in
            let connection = try await SSHConnection.connect(
                to: target, options: options, credentials: credentials, knownHosts: knownHosts)
            do {
                let value = try await work(connection)
                await connection.close()
                return value
            } catch {
                await connection.close()
                throw error
            }
        }
        return (targets, outcomes)
    }
}
