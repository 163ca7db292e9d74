import SkiffCore

/// The result of evaluating an expression: a value, or an undefined name that is an error unless
/// a `default` filter or a `defined` test deals with it.
enum Evaluated {
    case value(Value)
    case undefined(String)

    func require() throws -> Value {
        switch self {
        case .value(let value): return value
        case .undefined(let name): throw TemplateError("'\(name)' is undefined")
        }
    }

    var isDefined: Bool {
        if case .value = self { return true }
        return false
    }
}

extension Value {
    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .double(let number): return number != 0
        case .string(let text): return !text.isEmpty
        case .list(let items): return !items.isEmpty
        case .dict(let dict): return !dict.isEmpty
        }
    }

    /// The text a value renders as inside a larger string, as Ansible renders it (Python's `str`,
    /// except that null renders as nothing).
    public var rendered: String {
        switch self {
        case .null: return ""
        case .string(let text): return text
        default: return pythonRepr(topLevel: true)
        }
    }

    func pythonRepr(topLevel: Bool = false) -> String {
        switch self {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .double(let number):
            if number == number.rounded(), abs(number) < 1e16 { return String(Int(number)) + ".0" }
            return String(number)
        case .string(let text): return topLevel ? text : "'" + text.replacingAll("\\", with: "\\\\").replacingAll("'", with: "\\'") + "'"
        case .list(let items): return "[" + items.map { $0.pythonRepr() }.joined(separator: ", ") + "]"
        case .dict(let dict):
            return "{" + dict.map { "'\($0.key)': \($0.value.pythonRepr())" }.joined(separator: ", ") + "}"
        }
    }

    var typeName: String {
        switch self {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .dict: return "dict"
        }
    }
}

