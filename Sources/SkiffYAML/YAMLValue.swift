import OrderedCollections
import SkiffCore
import Yams

/// A YAML problem in an input file, with where it is.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let location: SourceLocation?

    public init(_ message: String, at location: SourceLocation?) {
        self.message = message
        self.location = location
    }

    public var description: String { (location.map { "\($0): " } ?? "") + message }
}

/// Turns a parsed YAML node into a `Value`, typing plain scalars as YAML 1.1 does (as Ansible's
/// PyYAML does: `yes`/`no`/`on`/`off` are booleans) and keeping quoted scalars as strings.
public enum YAMLValue {
    public static func value(of node: Node, file: String) throws -> Value {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let number = node.int { return .int(number) }
            if let number = node.float { return .double(number) }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .list(try sequence.map { try value(of: $0, file: file) })
        case .mapping(let mapping):
            var dict = OrderedDictionary<String, Value>()
            for (key, item) in mapping {
                guard let name = key.string else {
                    throw YAMLError("mapping keys must be strings", at: location(of: key, file: file))
                }
                dict[name] = try value(of: item, file: file)
            }
            return .dict(dict)
        case .alias:
            throw YAMLError("unresolved YAML alias", at: location(of: node, file: file))
        }
    }

    /// An empty value (`key:` with nothing after it, or `~`/`null`).
    public static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain, node.null != nil { return true }
        return false
    }

    public static func location(of node: Node, file: String) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Parses YAML text, turning a syntax error into an error with its file, line and column.
    public static func compose(_ text: String, file: String) throws -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw YAMLError("invalid YAML: \(error.plainDescription)", at: error.location(file: file))
        }
    }
}

extension YamlError {
    /// libyaml's problem text without Yams's multi-line snippet.
    var plainDescription: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
        case .composer(_, let problem, _, _): return problem
        default: return "\(self)".split(separator: "\n").first.map(String.init) ?? "syntax error"
        }
    }

    func location(file: String) -> SourceLocation? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        default:
            return nil
        }
    }
}
