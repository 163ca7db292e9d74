import SkiffCore

/// Binary operators with Python's semantics.
enum Operators {
    static func apply(_ op: String, _ left: Value, _ right: Value) throws -> Value {
        switch op {
        case "==": return .bool(equal(left, right))
        case "!=": return .bool(!equal(left, right))
        case "<", "<=", ">", ">=": return .bool(try compare(op, left, right))
        case "in": return .bool(try contains(right, left))
        case "~": return .string(try concatenate(left.renderedChecked(), right.renderedChecked()))
        case "+":
            switch (left, right) {
            case (.string(let a), .string(let b)): return .string(try concatenate(a, b))
            case (.list(let a), .list(let b)):
                try TemplateLimits.checkItems("the list", a.count + b.count)
                return .list(a + b)
            default: return try arithmetic(op, left, right)
            }
        case "*":
            switch (left, right) {
            case (.string, .int(let count)), (.list, .int(let count)): return try repeated(left, count)
            case (.int(let count), .string), (.int(let count), .list): return try repeated(right, count)
            default: return try arithmetic(op, left, right)
            }
        default:
            return try arithmetic(op, left, right)
        }
    }

    private static func concatenate(_ a: String, _ b: String) throws -> String {
        try TemplateLimits.checkText("the text", count: 1, unitBytes: a.utf8.count, plus: b.utf8.count)
        return a + b
    }

    /// `text * count` and `list * count` (and `count * …`), as Python repeats them: nothing for a count
    /// below one. The result is bounded by `TemplateLimits` before anything is allocated.
    private static func repeated(_ value: Value, _ count: Int) throws -> Value {
        guard count > 0 else { return value.stringValue != nil ? .string("") : .list([]) }
        switch value {
        case .string(let text):
            try TemplateLimits.checkText("the repeated text", count: count, unitBytes: text.utf8.count)
            return .string(String(repeating: text, count: count))
        case .list(let items):
            let (total, overflowed) = items.count.multipliedReportingOverflow(by: count)
            try TemplateLimits.checkItems("the repeated list", overflowed ? Int.max : total)
            let size = value.textSize(upTo: TemplateLimits.textBytes / count + 1)
            try TemplateLimits.checkText("the repeated list", count: count, unitBytes: size)
            var result: [Value] = []
            result.reserveCapacity(total)
            for _ in 0..<count { result.append(contentsOf: items) }
            return .list(result)
        default:
            return value
        }
    }

    static func equal(_ left: Value, _ right: Value) -> Bool {
        switch (left, right) {
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        case (.bool(let a), .int(let b)): return (a ? 1 : 0) == b
        case (.int(let a), .bool(let b)): return a == (b ? 1 : 0)
        default: return left == right
        }
    }

    private static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let n): return Double(n)
        case .double(let n): return n
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    private static func compare(_ op: String, _ left: Value, _ right: Value) throws -> Bool {
        let order: Int
        if let a = number(left), let b = number(right) {
            order = a < b ? -1 : (a > b ? 1 : 0)
        } else if case .string(let a) = left, case .string(let b) = right {
            order = a < b ? -1 : (a > b ? 1 : 0)
        } else {
            throw TemplateError("'\(op)' not supported between \(left.typeName) and \(right.typeName)")
        }
        switch op {
        case "<": return order < 0
        case "<=": return order <= 0
        case ">": return order > 0
        default: return order >= 0
        }
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .list(let items): return items.contains { equal($0, item) }
        case .dict(let dict): return dict[try item.renderedChecked()] != nil
        case .string(let text):
            guard case .string(let needle) = item else { throw TemplateError("'in <string>' requires a string on the left") }
            return needle.isEmpty || text.contains(needle)
        default: throw TemplateError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    private static func arithmetic(_ op: String, _ left: Value, _ right: Value) throws -> Value {
        if case .int(let a) = left, case .int(let b) = right {
            switch op {
            case "+": return .int(try IntegerMath.add(a, b))
            case "-": return .int(try IntegerMath.subtract(a, b))
            case "*": return .int(try IntegerMath.multiply(a, b))
            case "//": return .int(try IntegerMath.floorDivide(a, b))
            case "%": return .int(try IntegerMath.modulo(a, b))
            case "**": return try IntegerMath.power(a, b)
            case "/":
                guard b != 0 else { throw TemplateError("division by zero") }
                return .double(Double(a) / Double(b))
            default: break
            }
        }
        guard let a = number(left), let b = number(right) else {
            throw TemplateError("unsupported operand types for \(op): '\(left.typeName)' and '\(right.typeName)'")
        }
        switch op {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/":
            guard b != 0 else { throw TemplateError("division by zero") }
            return .double(a / b)
        case "//":
            guard b != 0 else { throw TemplateError("float floor division by zero") }
            return .double((a / b).rounded(.down))
        case "%":
            guard b != 0 else { throw TemplateError("float modulo by zero") }
            return .double(a - b * (a / b).rounded(.down))
        case "**": return .double(pow(a, b))
        default: throw TemplateError("unknown operator \(op)")
        }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
