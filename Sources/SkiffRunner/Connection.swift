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

    /// Checks, without contacting the host, what `connect` would be told (SSH options, ssh_config);
    /// throws `ConnectionSettingsError` naming the host and the variable or file at fault.
    func check(host: String, variables: [String: Value]) throws
}

extension ConnectionFactory {
    public func check(host: String, variables: [String: Value]) throws {}
}

/// A host's connection settings are wrong (an SSH option Skiff does not know, a malformed value, an
/// ssh_config error): invalid input, found before any host is contacted.
public struct ConnectionSettingsError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A connection failure that makes the host unreachable (refused, timed out, host key, auth, lost).
public struct UnreachableError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
