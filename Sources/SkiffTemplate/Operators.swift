import SkiffCore

/// Binary operators with Python's semantics.
enum Operators {
    static func apply(_ op: String, _ left: Value, _ right: Value) throws -> Value {
        switch op {
        case "==": return .bool(equal(left, right))
        case "!=": return .bool(!equal(left, right))
        case "<", "<=", ">", ">=": return .bool(try compare(op, left, right))
        case "in": return .bool(try contains(right, left))
        case "~": return .string(left.rendered + right.rendered)
        case "+":
            switch (left, right) {
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.list(let a), .list(let b)): return .list(a + b)
            default: return try arithmetic(op, left, right)
            }
        case "*":
            if case .string(let text) = left, case .int(let count) = right { return .string(String(repeating: text, count: max(0, count))) }
            if case .list(let items) = left, case .int(let count) = right {
                return .list(Array(repeating: items, count: max(0, count)).flatMap { $0 })
            }
            return try arithmetic(op, left, right)
        default:
            return try arithmetic(op, left, right)
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
        case .dict(let dict): return dict[item.rendered] != nil
        case .string(let text):
            guard case .string(let needle) = item else { throw TemplateError("'in <string>' requires a string on the left") }
            return needle.isEmpty || text.contains(needle)
        default: throw TemplateError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    private static func arithmetic(_ op: String, _ left: Value, _ right: Value) throws -> Value {
        if case .int(let a) = left, case .int(let b) = right {
            switch op {
            case "+": return .int(a &+ b)
            case "-": return .int(a &- b)
            case "*": return .int(a &* b)
            case "//":
                guard b != 0 else { throw TemplateError("integer division by zero") }
                return .int(Int((Double(a) / Double(b)).rounded(.down)))
            case "%":
                guard b != 0 else { throw TemplateError("integer modulo by zero") }
                return .int(((a % b) + b) % b)
            case "**": return b >= 0 ? .int(Int(pow(Double(a), Double(b)))) : .double(pow(Double(a), Double(b)))
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
        case "//": return .double((a / b).rounded(.down))
        case "%": return .double(a - b * (a / b).rounded(.down))
        case "**": return .double(pow(a, b))
        default: throw TemplateError("unknown operator \(op)")
        }
    }
}

import Foundation
