/// Every failure of the SSH transport, with the host it concerns and a message a person can act on.
/// Messages never contain a password, passphrase or key material.
public struct SSHError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// No SSH session could be established: name resolution, refused, timed out, no banner.
        case unreachable
        /// The server's host key is not in known_hosts and the policy does not accept new keys.
        case hostKeyUnknown
        /// known_hosts holds a different key for this host.
        case hostKeyChanged
        /// The server's key is marked `@revoked` in known_hosts.
        case hostKeyRevoked
        /// No offered credential was accepted.
        case authenticationFailed
        /// A command ran longer than its timeout and was stopped.
        case commandTimedOut
        /// The connection broke, or the server stopped answering keepalives.
        case connectionLost
        /// The caller cancelled the operation.
        case cancelled
        /// An SFTP operation failed on the server.
        case transferFailed
        /// A local file (key, upload source, known_hosts) could not be read or written.
        case localFile
        /// The SSH layer reported an error not covered above.
        case protocolError
    }

    public let kind: Kind
    /// The host as the user named it, with the address when it differs.
    public let host: String
    public let message: String

    public init(_ kind: Kind, host: String, _ message: String) {
        self.kind = kind
        self.host = host
        self.message = message
    }

    /// True when the host, not the command, is the problem (Ansible's UNREACHABLE).
    public var isUnreachable: Bool {
        switch kind {
        case .unreachable, .hostKeyUnknown, .hostKeyChanged, .hostKeyRevoked, .authenticationFailed,
            .connectionLost:
            return true
        case .commandTimedOut, .cancelled, .transferFailed, .localFile, .protocolError:
            return false
        }
    }

    public var description: String { "\(host): \(message)" }
}
