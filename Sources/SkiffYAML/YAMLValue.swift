import OrderedCollections
import SkiffCore
import SkiffVault

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
            if scalar.tag.rawValue == "!vault" {
                return .string(try vaultSession.decryptValue(scalar.string, at: location(of: node, file: file)))
            }
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

    /// The session vault text is decrypted with; without one, an empty one (vault text is then an error).
    static var vaultSession: VaultSession { VaultSession.current ?? VaultSession(keyring: VaultKeyring()) }

    /// Parses YAML text, decrypting it first when it is a whole Ansible Vault file (its values are then
    /// recorded as secrets; a syntax error in it is reported without the text). A syntax error, a key written twice in one mapping or a character YAML does not
    /// allow is an error with its file, line and column; so is a document whose aliases expand beyond
    /// `AliasExpansion.limit` nodes, and a mapping used as a key (an unquoted `{{ template }}`).
    public static func compose(_ text: String, file: String) throws -> Node? {
        guard text.hasPrefix(VaultEnvelope.marker) else { return try composePlain(text, file: file) }
        let session = vaultSession
        let decrypted = try session.decryptFile(text, file: file)
        let root: Node?
        do {
            root = try composePlain(decrypted, file: file)
        } catch let error as YAMLError {
            throw YAMLError("the decrypted vault is not valid YAML", at: error.location)
        }
        if let root { session.record(valuesOf: root) }
        return root
    }

    /// The text of a file that is not YAML (an INI inventory), decrypted when it is a whole vault file;
    /// the session that decrypted it is returned so that the caller records the values it reads from it.
    public static func decryptedText(_ text: String, file: String) throws -> (text: String, session: VaultSession?) {
        guard text.hasPrefix(VaultEnvelope.marker) else { return (text, nil) }
        let session = vaultSession
        return (try session.decryptFile(text, file: file), session)
    }

    private static func composePlain(_ text: String, file: String) throws -> Node? {
        try AliasKeys.check(text, file: file)
        guard let root = try Composer.compose(text, file: file) else { return nil }
        try AliasExpansion.check(root, file: file)
        try UnquotedTemplateCheck.check(root, file: file)
        return root
    }
}
