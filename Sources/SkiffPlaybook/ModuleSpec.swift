/// What Skiff knows of a module before running it: its names, its arguments, and whether it takes
/// free-form text (`shell: echo hi`).
public struct ModuleSpec: Sendable {
    public enum ArgumentType: Sendable {
        case string, int, bool, list, dict, raw
    }

    public struct Argument: Sendable {
        public let name: String
        public let type: ArgumentType
        public let required: Bool
        public let aliases: [String]
    }

    /// The canonical name (`ansible.builtin.shell`, `community.docker.docker_login`, `skiff.compose_deploy`).
    public let name: String
    public let arguments: [Argument]
    public let freeForm: Bool
    /// Arguments of which at least one must be given (e.g. `copy` needs `src` or `content`).
    public let oneOf: [[String]]

    init(_ name: String, freeForm: Bool = false, oneOf: [[String]] = [], _ arguments: [(String, ArgumentType, Bool, [String])]) {
        self.name = name
        self.freeForm = freeForm
        self.oneOf = oneOf
        self.arguments = arguments.map { Argument(name: $0.0, type: $0.1, required: $0.2, aliases: $0.3) }
    }

    /// The short name (`shell`).
    public var shortName: String { String(name.split(separator: ".").last ?? Substring(name)) }

    func argument(named key: String) -> Argument? {
        arguments.first { $0.name == key || $0.aliases.contains(key) }
    }
}
