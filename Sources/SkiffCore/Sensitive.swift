/// A value that must never be shown: a password, a passphrase, a registry credential, a `no_log` value.
///
/// Every textual form (`description`, `debugDescription`, string interpolation, `dump`, reflection)
/// prints `[REDACTED]`. Only code that must hand the value to the wire (the SSH transport, a module
/// feeding stdin) calls ``revealed``; searching for that name finds every place a secret leaves its box.
public struct Sensitive<Value: Sendable>: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public static var redactedText: String { "[REDACTED]" }

    private let value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// The secret itself. Call only where it is sent to its destination.
    public var revealed: Value { value }

    public var description: String { Self.redactedText }
    public var debugDescription: String { Self.redactedText }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Transforms the secret without revealing it.
    public func map<T: Sendable>(_ transform: (Value) throws -> T) rethrows -> Sensitive<T> {
        Sensitive<T>(try transform(value))
    }
}

extension Sensitive: Equatable where Value: Equatable {}
extension Sensitive: Hashable where Value: Hashable {}
