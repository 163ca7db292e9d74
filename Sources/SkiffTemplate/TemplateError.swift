import SkiffCore

/// A template that cannot be parsed or evaluated: an undefined variable, an unknown filter, a syntax
/// error, a failed lookup — with the expression and where it is.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + message
    }
}
