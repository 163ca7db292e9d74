/// The types YAML 1.1 gives plain scalars, as Ansible's YAML reader sees them: `yes`/`no`/`on`/`off`
/// are booleans, `0o17`/`017` octal, `0x1F` hex, `0b101` binary, `1:30` base 60, `~` null.
enum ScalarResolver {
    /// The tag plain text resolves to; text no rule matches is a string.
    static func tag(of text: String) -> Tag.Name {
        if booleans.contains(text) { return .bool }
        if text.wholeMatch(of: integer) != nil { return .int }
        if text.wholeMatch(of: float) != nil { return .float }
        if text == "<<" { return .merge }
        if nulls.contains(text) || text.isEmpty { return .null }
        if text.wholeMatch(of: timestamp) != nil { return .timestamp }
        if text == "=" { return .value }
        return .str
    }

    static let booleans: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    ]
    static let nulls: Set<String> = ["~", "null", "Null", "NULL"]

    nonisolated(unsafe) private static let integer =
        #/[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+/#
    nonisolated(unsafe) private static let float =
        #/[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)/#
    nonisolated(unsafe) private static let timestamp =
        #/[0-9]{4}-[0-9][0-9]-[0-9][0-9]|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?/#
}

extension Node {
    /// A plain scalar's boolean (`true`/`yes`/`on`, `false`/`no`/`off`, any case); nil for `!!str` text.
    public var bool: Bool? {
        guard let scalar, scalar.tag.name != .str else { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A plain scalar's integer: decimal, `0x`, `0o`/`0` octal, `0b` binary, base 60 (`1:30`), `_` between digits.
    public var int: Int? {
        guard let scalar, scalar.style == .any || scalar.style == .plain else { return nil }
        let signed = scalar.string.replacing("_", with: "")
        if signed == "0" { return 0 }
        let negative = signed.hasPrefix("-")
        let sign = negative ? "-" : ""
        let digits = signed.dropFirst(negative || signed.hasPrefix("+") ? 1 : 0)
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int(sign + digits.dropFirst(prefix.count), radix: radix)
        }
        if digits.contains(":") { return Self.sexagesimal(signed, Int.init) }
        return Int(signed)
    }

    /// A plain scalar's floating-point number: decimal, `.inf`, `-.inf`, `.nan`, base 60, `_` between digits.
    public var float: Double? {
        guard let scalar, scalar.style == .any || scalar.style == .plain else { return nil }
        switch scalar.string.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            let text = scalar.string.replacing("_", with: "")
            return text.contains(":") ? Self.sexagesimal(text, Double.init) : Double(text)
        }
    }

    /// Whether a plain scalar is null (empty, `~`, `null`, `Null`, `NULL`).
    public var null: Void? {
        guard let scalar, scalar.style == .plain else { return nil }
        return scalar.string.isEmpty || ScalarResolver.nulls.contains(scalar.string) ? () : nil
    }

    /// Base 60 (`-1:30:00`): each part read by `read`; nil when a part is not a number or the value overflows.
    private static func sexagesimal<T: Numeric & Comparable>(_ text: String, _ read: (String) -> T?) -> T? {
        let negative = text.hasPrefix("-")
        let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        var value: T = 0
        for part in unsigned.split(separator: ":", omittingEmptySubsequences: false) {
            guard let digit = read(String(part)) else { return nil }
            guard let next = multiplyAdd(value, 60, digit) else { return nil }
            value = next
        }
        return negative ? multiplyAdd(value, -1, 0) : value
    }

    private static func multiplyAdd<T: Numeric>(_ value: T, _ factor: T, _ addend: T) -> T? {
        if let a = value as? Int, let b = factor as? Int, let c = addend as? Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            let (sum, overflowSum) = product.addingReportingOverflow(c)
            return overflow || overflowSum ? nil : sum as? T
        }
        return value * factor + addend
    }
}
