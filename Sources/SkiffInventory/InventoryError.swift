import SkiffCore

/// A problem in an inventory or a host pattern, with where it is and what to do about it.
public struct InventoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let location: SourceLocation?
    public let message: String
    public let hint: String?

    public init(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        let advice = hint.map { " (\($0))" } ?? ""
        return "\(place)\(message)\(advice)"
    }
}
