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

    /// Parses YAML text. A syntax error, a key written twice in one mapping or a character YAML does not
    /// allow is an error with its file, line and column; so is a document whose aliases expand beyond
    /// `AliasExpansion.limit` nodes, and a mapping used as a key (an unquoted `{{ template }}`).
    public static func compose(_ text: String, file: String) throws -> Node? {
        try AliasKeys.check(text, file: file)
        do {
            let parser = try Parser(yaml: text)
            return try withExtendedLifetime(parser) { () throws -> Node? in
                guard let root = try parser.singleRoot() else { return nil }
                try AliasExpansion.check(root, file: file)
                try UnquotedTemplateCheck.check(root, file: file)
                return root
            }
        } catch let error as YamlError {
            throw YAMLError(error.plainDescription, at: error.location(file: file, text: text))
        }
    }
}
