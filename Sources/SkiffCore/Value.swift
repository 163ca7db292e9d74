import OrderedCollections

/// A variable's value, as YAML, JSON and Jinja2 know them. Mappings keep their keys' order.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([Value])
    case dict(OrderedDictionary<String, Value>)

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let number): return number
        case .string(let text): return Int(text)
        default: return nil
        }
    }

    /// Plain text: a string as it is, null as nothing, anything else as JSON.
    public var text: String {
        switch self {
        case .string(let text): return text
        case .null: return ""
        default: return json
        }
    }

    public var listValue: [Value]? {
        if case .list(let items) = self { return items }
        return nil
    }

    public var dictValue: OrderedDictionary<String, Value>? {
        if case .dict(let dict) = self { return dict }
        return nil
    }

    /// The value as JSON text (keys in their order; strings escaped as JSON requires).
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? String(number) : "null"
        case .string(let text): return Self.jsonString(text)
        case .list(let items): return "[" + items.map(\.json).joined(separator: ", ") + "]"
        case .dict(let dict):
            return "{" + dict.map { Self.jsonString($0.key) + ": " + $0.value.json }.joined(separator: ", ") + "}"
        }
    }

    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
}
