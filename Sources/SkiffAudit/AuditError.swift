/// The audit log cannot be opened, read or written. A run that cannot write its audit records does not
/// start (or, mid-run, starts no new task): the message says which file and why.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
