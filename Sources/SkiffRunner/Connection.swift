import SkiffCore
import SkiffModules

/// What the runner needs of a connection to a host. The SSH transport provides it; tests may too.
public protocol HostConnection: Sendable {
    func run(_ step: RemoteStep, timeout: Duration?) async throws -> CommandResult
    func upload(_ step: UploadStep) async throws
    func close() async
}

/// Opens connections to hosts (lazily, once per host per run).
public protocol ConnectionFactory: Sendable {
    /// - Parameter variables: the host's variables (ansible_host, ansible_port, ansible_user, …).
    func connect(host: String, variables: [String: Value]) async throws -> any HostConnection
}

/// A connection failure that makes the host unreachable (refused, timed out, host key, auth, lost).
public struct UnreachableError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
