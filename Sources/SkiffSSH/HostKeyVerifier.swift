import CLibSSH2

/// Checks the key a server presented against known_hosts under a policy, after the handshake
/// and before any credential is offered.
struct HostKeyVerifier {
    let knownHosts: KnownHosts
    let policy: HostKeyPolicy
    /// The name the host is looked up by in known_hosts (the address Skiff connects to).
    let hostName: String
    let port: Int
    /// The host as shown in errors.
    let displayHost: String

    /// The libssh2 host-key methods to ask for: the types known_hosts holds for this host, so the server
    /// presents a key that can be checked (libssh2 prefers ECDSA and would report a false "unknown").
    func preferredMethods(supported: [String]) -> [String] {
        let knownTypes = knownHosts.keys(for: hostName, port: port).map(\.key.type)
        let wanted = knownTypes.isEmpty ? Self.defaultOrder : knownTypes.flatMap(Self.methods(forKeyType:))
        var seen = Set<String>()
        return wanted.filter { supported.contains($0) && seen.insert($0).inserted }
    }

    static let defaultOrder = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa",
    ]

    static func methods(forKeyType type: String) -> [String] {
        type == "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type]
    }

    /// Throws when the key must be refused; appends it to known_hosts under `acceptNew`.
    func verify(_ key: HostKey) throws {
        if policy == .insecureAcceptAnyHostKey { return }
        switch knownHosts.verify(host: hostName, port: port, key: key) {
        case .trusted:
            return
        case .revoked(let entry):
            throw SSHError(
                .hostKeyRevoked, host: displayHost,
                "host key \(key.fingerprintLine) is marked @revoked in \(entry.file):\(entry.line); refusing to connect")
        case .changed(let expected):
            let lines = expected.map { "  \($0.key.fingerprintLine) at \($0.file):\($0.line)" }
            throw SSHError(
                .hostKeyChanged, host: displayHost,
                """
                HOST KEY CHANGED: the server presented \(key.fingerprintLine), but known_hosts expects:
                \(lines.joined(separator: "\n"))
                Someone may be intercepting the connection, or the host was reinstalled. If the change is \
                expected, remove the old key with: ssh-keygen -R \
                \(KnownHostsEntry.lookupName(host: hostName, port: port)) -f \(expected[0].file)
                """)
        case .unknown:
            guard policy == .acceptNew, let file = knownHosts.files.first else {
                let file = knownHosts.files.first ?? "~/.ssh/known_hosts"
                throw SSHError(
                    .hostKeyUnknown, host: displayHost,
                    """
                    unknown host key \(key.fingerprintLine) for \
                    \(KnownHostsEntry.lookupName(host: hostName, port: port)), not in \(file). \
                    Verify the fingerprint, then add it (ssh-keyscan -p \(port) \(hostName) >> \(file)) \
                    or run with --host-key-checking accept-new
                    """)
            }
            try KnownHosts.append(host: hostName, port: port, key: key, to: file)
        }
    }

    /// The key the server presented during the handshake.
    static func presentedKey(of session: OpaquePointer, host: String) throws -> HostKey {
        var length = 0
        var type: Int32 = 0
        guard let pointer = libssh2_session_hostkey(session, &length, &type), length > 0 else {
            throw SSHError(.protocolError, host: host, "the server presented no host key")
        }
        let blob = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
        guard let key = HostKey(blob: blob) else {
            throw SSHError(.protocolError, host: host, "the server's host key could not be parsed")
        }
        return key
    }
}
