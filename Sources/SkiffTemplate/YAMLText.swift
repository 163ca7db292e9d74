import SkiffCore

/// A value as YAML text in flow style, as Ansible's `to_yaml` prints short structures.
enum YAMLText {
    static func render(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return scalar(text)
        case .list(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .dict(let dict): return "{" + dict.map { "\(scalar($0.key)): \(render($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    private static func scalar(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
            && !["true", "false", "yes", "no", "on", "off", "null", "~"].contains(text.lowercased())
            && Double(text) == nil
        return plain ? text : "'" + text.replacingAll("'", with: "''") + "'"
    }
}
