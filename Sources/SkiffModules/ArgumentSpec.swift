import OrderedCollections
import SkiffCore

/// The arguments a module takes, checked when the playbook is loaded (before any host is contacted):
/// names and aliases, types, choices, defaults, which are required, which exclude each other and of
/// which at least one must be given.
public struct ArgumentSpec: Sendable {
    public enum ArgumentType: Sendable {
        case string, int, bool, list, dict, raw
    }

    /// How a module reads text instead of a mapping (`shell: echo hi`, `set_fact: a=1`).
    public enum FreeForm: Sendable {
        /// `key=value` pairs only.
        case none
        /// The text is the command, less the module's own `key=value` options (`chdir=/tmp ls`).
        case command
        /// `key=value` pairs; the rest of the text is `_raw_params`.
        case pairs
    }

    public struct Argument: Sendable {
        public let name: String
        public let type: ArgumentType
        public let required: Bool
        public let aliases: [String]
        /// The values it may take (empty: any).
        public let choices: [String]
        /// The value the module sees when the task gives none.
        public let defaultValue: Value?

        public init(_ name: String, _ type: ArgumentType, required: Bool = false, aliases: [String] = [],
                    choices: [String] = [], default defaultValue: Value? = nil) {
            self.name = name
            self.type = type
            self.required = required
            self.aliases = aliases
            self.choices = choices
            self.defaultValue = defaultValue
        }

        public static func string(_ name: String, required: Bool = false, aliases: [String] = [], choices: [String] = [], default value: String? = nil) -> Argument {
            Argument(name, .string, required: required, aliases: aliases, choices: choices, default: value.map(Value.string))
        }
        public static func int(_ name: String, required: Bool = false, aliases: [String] = []) -> Argument {
            Argument(name, .int, required: required, aliases: aliases)
        }
        public static func bool(_ name: String, aliases: [String] = [], default value: Bool? = nil) -> Argument {
            Argument(name, .bool, aliases: aliases, default: value.map(Value.bool))
        }
        public static func list(_ name: String, required: Bool = false, aliases: [String] = []) -> Argument {
            Argument(name, .list, required: required, aliases: aliases)
        }
        public static func dict(_ name: String, required: Bool = false, aliases: [String] = []) -> Argument {
            Argument(name, .dict, required: required, aliases: aliases)
        }
        public static func raw(_ name: String, required: Bool = false, aliases: [String] = []) -> Argument {
            Argument(name, .raw, required: required, aliases: aliases)
        }
    }

    public let arguments: [Argument]
    public let freeForm: FreeForm
    /// Groups of arguments of which at least one must be given (`copy` needs `src` or `content`).
    public let requiredOneOf: [[String]]
    /// Groups of arguments of which at most one may be given.
    public let mutuallyExclusive: [[String]]
    /// Arguments that need others: `state` of `systemd_service` needs `name`.
    public let requiredBy: [String: [String]]
    /// Arguments that a value of another needs: `source: build` of `docker_image` needs `build`.
    public let requiredIf: [RequiredIf]
    /// Any argument is accepted (`set_fact`'s names are the facts it sets).
    public let acceptsAny: Bool

    /// `argument: value` needs the arguments `needed`.
    public struct RequiredIf: Sendable {
        public let argument: String
        public let value: String
        public let needed: [String]

        public init(_ argument: String, _ value: String, needs needed: [String]) {
            self.argument = argument
            self.value = value
            self.needed = needed
        }
    }

    public init(_ arguments: [Argument], freeForm: FreeForm = .none, requiredOneOf: [[String]] = [],
                mutuallyExclusive: [[String]] = [], requiredBy: [String: [String]] = [:], requiredIf: [RequiredIf] = [],
                acceptsAny: Bool = false) {
        self.arguments = arguments
        self.freeForm = freeForm
        self.requiredOneOf = requiredOneOf
        self.mutuallyExclusive = mutuallyExclusive
        self.requiredBy = requiredBy
        self.requiredIf = requiredIf
        self.acceptsAny = acceptsAny
    }

    /// The argument a key names, by its name or an alias.
    public func argument(named key: String) -> Argument? {
        arguments.first { $0.name == key || $0.aliases.contains(key) }
    }

    /// The arguments as the module reads them: aliases renamed to the argument's name, defaults added
    /// for what the task does not give.
    public func normalized(_ values: OrderedDictionary<String, Value>) -> OrderedDictionary<String, Value> {
        var result = OrderedDictionary<String, Value>()
        for (key, value) in values {
            let name = argument(named: key)?.name ?? key
            if result[name] == nil || name == key { result[name] = value }
        }
        for argument in arguments where result[argument.name] == nil {
            if let value = argument.defaultValue { result[argument.name] = value }
        }
        return result
    }
}
