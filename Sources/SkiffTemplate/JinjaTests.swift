#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore

/// Jinja2 and Ansible tests (`x is defined`, `result is failed`, `name is match('^web')`).
enum JinjaTests {
    static let names: Set<String> = [
        "defined", "undefined", "none", "succeeded", "success", "failed", "failure", "changed", "change", "skipped",
        "skip", "match", "search", "regex", "string", "number", "integer", "float", "boolean", "mapping", "sequence",
        "iterable", "in", "contains", "equalto", "eq", "==", "ne", "lt", "le", "gt", "ge", "truthy", "falsy",
        "divisibleby", "even", "odd", "lower", "upper",
    ]

    static func isKnown(_ name: String) -> Bool {
        let name = Filters.shortName(name)
        return names.contains(name) || PathTests.names.contains(name)
    }

    static func apply(_ fullName: String, to input: Evaluated, arguments: [Value]) throws -> Bool {
        let name = Filters.shortName(fullName)
        switch name {
        case "defined": return input.isDefined
        case "undefined": return !input.isDefined
        default: break
        }
        let isPathTest = PathTests.names.contains(name)
        guard names.contains(name) || isPathTest else { throw TemplateError("no test named '\(fullName)'") }
        let value = try input.require()
        if isPathTest { return try PathTests.apply(name, to: value.renderedChecked(), argument: arguments.first) }
        let first = arguments.first
        switch name {
        case "none": return value == .null
        case "succeeded", "success", "failed", "failure", "changed", "change", "skipped", "skip":
            guard case .dict(let result) = value else {
                throw TemplateError("the '\(name)' test expects a registered task result, not \(value.typeName)")
            }
            let failed = result["failed"]?.isTruthy ?? false
            switch name {
            case "succeeded", "success": return !failed
            case "failed", "failure": return failed
            case "changed", "change": return result["changed"]?.isTruthy ?? false
            default: return result["skipped"]?.isTruthy ?? false
            }
        case "match", "search", "regex":
            let regex = try Filters.compile(first?.renderedChecked() ?? "", ignoreCase: false)
            let text = try value.renderedChecked()
            return name == "match" ? text.prefixMatch(of: regex) != nil : text.firstMatch(of: regex) != nil
        case "string": if case .string = value { return true } else { return false }
        case "number": switch value { case .int, .double: return true; default: return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "sequence", "iterable": switch value { case .list, .string, .dict: return true; default: return false }
        case "in": return try Operators.contains(first ?? .list([]), value)
        case "contains": return try Operators.contains(value, first ?? .null)
        case "equalto", "eq", "==": return Operators.equal(value, first ?? .null)
        case "ne": return !Operators.equal(value, first ?? .null)
        case "lt", "le", "gt", "ge":
            let op = ["lt": "<", "le": "<=", "gt": ">", "ge": ">="][name]!
            return try Operators.apply(op, value, first ?? .null).isTruthy
        case "truthy": return value.isTruthy
        case "falsy": return !value.isTruthy
        case "divisibleby":
            guard case .int(let number) = value, case .int(let divisor)? = first, divisor != 0 else { return false }
            return try IntegerMath.modulo(number, divisor) == 0
        case "even": if case .int(let number) = value { return number % 2 == 0 } else { return false }
        case "odd": if case .int(let number) = value { return number % 2 != 0 } else { return false }
        case "lower": return try value.renderedChecked() == value.renderedChecked().lowercased()
        case "upper": return try value.renderedChecked() == value.renderedChecked().uppercased()
        default: throw TemplateError("no test named '\(fullName)'")
        }
    }
}
