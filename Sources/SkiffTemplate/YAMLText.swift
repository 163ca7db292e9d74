import SkiffCore

/// A value as YAML text, as Ansible's filters print it with PyYAML: keys sorted; `to_yaml` (indent 2)
/// writes a collection of scalars in flow style (`{a: 1, b: 2}`) and one holding collections in block
/// style, `to_nice_yaml` (indent 4) writes every non-empty collection in block style. Lists inside a
/// mapping are not indented, as PyYAML writes them. Text is quoted only when YAML would read it as
/// something else (a boolean, a number, null) or could not read it plain.
enum YAMLText {
    static func render(_ value: Value, nice: Bool = false) -> String {
        let text = block(value, indent: 0, step: nice ? 4 : 2, nice: nice)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    private static func isCollection(_ value: Value) -> Bool {
        switch value {
        case .list(let items): return !items.isEmpty
        case .dict(let dict): return !dict.isEmpty
        default: return false
        }
    }

    /// Whether the value is written inline: a scalar, an empty collection, or (in `to_yaml`) a collection of scalars.
    private static func inline(_ value: Value, nice: Bool) -> Bool {
        switch value {
        case .list(let items): return items.isEmpty || (!nice && !items.contains(where: isCollection))
        case .dict(let dict): return dict.isEmpty || (!nice && !dict.values.contains(where: isCollection))
        default: return true
        }
    }

    /// The value's lines at `indent`, ending in a newline; an inline value is one line without indentation.
    private static func block(_ value: Value, indent: Int, step: Int, nice: Bool) -> String {
        if inline(value, nice: nice) { return flow(value) + "\n" }
        let pad = String(repeating: " ", count: indent)
        var out = ""
        switch value {
        case .dict(let dict):
            for (key, item) in dict.sorted(by: { $0.key < $1.key }) {
                out += pad + scalar(key) + ":"
                if inline(item, nice: nice) {
                    out += " " + flow(item) + "\n"
                } else if case .list = item {
                    out += "\n" + block(item, indent: indent, step: step, nice: nice)
                } else {
                    out += "\n" + block(item, indent: indent + step, step: step, nice: nice)
                }
            }
        case .list(let items):
            for item in items {
                if inline(item, nice: nice) {
                    out += pad + "- " + flow(item) + "\n"
                } else {
                    // The item's first line follows the dash; the others are indented to match it.
                    let inner = block(item, indent: indent + step, step: step, nice: nice)
                    out += pad + "-" + String(repeating: " ", count: step - 1) + inner.dropFirst(indent + step)
                }
            }
        default:
            out = flow(value) + "\n"
        }
        return out
    }

    /// `inFlow`: inside `[…]`/`{…}`, where `:` `,` `?` and brackets also need quotes.
    private static func flow(_ value: Value, inFlow: Bool = false) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return scalar(text, inFlow: inFlow)
        case .list(let items): return "[" + items.map { flow($0, inFlow: true) }.joined(separator: ", ") + "]"
        case .dict(let dict):
            return "{" + dict.sorted(by: { $0.key < $1.key }).map { "\(scalar($0.key, inFlow: true)): \(flow($0.value, inFlow: true))" }
                .joined(separator: ", ") + "}"
        }
    }

    private static func scalar(_ text: String, inFlow: Bool = false) -> String {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return "''" }
        let reserved = ["true", "false", "yes", "no", "on", "off", "null", "~"].contains(text.lowercased())
        let numeric = Double(text) != nil || Int(text) != nil
        let startsBadly = "#&*!|>'\"%@`[]{},?:".unicodeScalars.contains(first) || (first == "-" && (text.count == 1 || text.hasPrefix("- ")))
        // Line breaks and control characters: a double-quoted string with escapes, which YAML reads back exactly.
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return Value.string(text).json }
        let unsafe = text.contains(": ") || text.contains(" #") || text.hasSuffix(":") || first == " " || last == " "
        let flowUnsafe = inFlow && text.unicodeScalars.contains { ":,?[]{}".unicodeScalars.contains($0) }
        let plain = !reserved && !numeric && !startsBadly && !unsafe && !flowUnsafe
        return plain ? text : "'" + text.replacingAll("'", with: "''") + "'"
    }
}
