import Foundation
import SkiffCore
import SkiffSSH
import SkiffTestSupport

/// A test host authorizing one client key, with a known_hosts file that trusts its host key.
struct SSHFixture {
    let host: TestHost
    let key: TestKey
    let files: ScratchDirectory
    let knownHosts: String

    static func start(
        key kind: TestKeyKind = .ed25519, password: String? = nil, knownHostTypes: [String] = ["ed25519"]
    ) async throws -> SSHFixture {
        try await offPool { try startBlocking(key: kind, password: password, knownHostTypes: knownHostTypes) }
    }

    private static func startBlocking(key kind: TestKeyKind, password: String?, knownHostTypes: [String]) throws
        -> SSHFixture
    {
        let key = try TestKeys.shared.key(kind)
        let host = try TestHost.start(.init(authorizedKeys: [key.publicKey], password: password))
        let files = try ScratchDirectory("client")
        let lines = try knownHostTypes.map { try host.knownHostsLine($0) }
        let knownHosts = try files.write("known_hosts", lines.joined(separator: "\n") + "\n")
        return SSHFixture(host: host, key: key, files: files, knownHosts: knownHosts)
    }

    var target: SSHTarget { SSHTarget(name: "testhost", address: host.address, port: host.port, user: "root") }

    func options(_ policy: HostKeyPolicy = .strict, knownHosts: String? = nil) -> SSHOptions {
        SSHOptions(connectTimeout: .seconds(10), hostKeyPolicy: policy, knownHostsFiles: [knownHosts ?? self.knownHosts])
    }

    /// Loads the key (decrypting it when encrypted: CPU work, kept off the cooperative pool).
    func credentials() async throws -> SSHCredentials {
        let key = self.key
        return try await offPool {
            SSHCredentials(keyFiles: [try PrivateKeyFile(path: key.privateKeyPath, passphrase: key.passphrase.map(Sensitive.init))])
        }
    }

    func connect(_ options: SSHOptions? = nil) async throws -> SSHConnection {
        try await SSHConnection.connect(to: target, options: options ?? self.options(), credentials: try await credentials())
    }
}

/// Runs `body` and returns the `SSHError` it threw (nil when it did not throw one).
func sshError(_ body: () async throws -> Void) async -> SSHError? {
    do {
        try await body()
        return nil
    } catch let error as SSHError {
        return error
    } catch {
        return SSHError(.protocolError, host: "test", "unexpected error \(error)")
    }
}
