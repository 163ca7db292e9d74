#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore

/// The Python string, list and dict methods that Ansible playbooks call inside expressions.
enum Methods {
    static func call(_ name: String, on value: Value, arguments: [Value]) throws -> Value {
        let first = arguments.first
        switch (name, value) {
        case ("split", .string(let text)):
            if let separator = try first?.renderedChecked() { return .list(text.components(separatedBy: separator).map(Value.string)) }
            return .list(text.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
        case ("startswith", .string(let text)): return .bool(try text.hasPrefix(first?.renderedChecked() ?? ""))
        case ("endswith", .string(let text)): return .bool(try text.hasSuffix(first?.renderedChecked() ?? ""))
        case ("strip", .string(let text)): return .string(text.trimmingWhitespaceAndNewlines())
        case ("lower", .string(let text)): return .string(text.lowercased())
        case ("upper", .string(let text)): return .string(text.uppercased())
        case ("replace", .string(let text)):
            return .string(try Filters.replacing(text, first?.renderedChecked() ?? "", with: arguments.dropFirst().first?.renderedChecked() ?? ""))
        case ("format", .string(let text)):
            var result = text
            for argument in arguments {
                if let range = result.firstRange(of: "{}") { result.replaceSubrange(range, with: try argument.renderedChecked()) }
                _ = try TemplateLimits.checked(result, "the formatted text")
            }
            return .string(result)
        case ("keys", .dict(let dict)): return .list(dict.keys.map(Value.string))
        case ("values", .dict(let dict)): return .list(Array(dict.values))
        case ("items", .dict(let dict)): return .list(dict.map { .list([.string($0.key), $0.value]) })
        case ("get", .dict(let dict)): return try dict[first?.renderedChecked() ?? ""] ?? arguments.dropFirst().first ?? .null
        case ("index", .list(let items)):
            guard let position = items.firstIndex(where: { Operators.equal($0, first ?? .null) }) else {
                throw TemplateError("value is not in list")
            }
            return .int(position)
        default:
            throw TemplateError("'\(value.typeName)' object has no method '\(name)'")
        }
    }
}
