/// Indented JSON text for people (4 spaces, as ansible's tools print it).
public enum JSONText {
    public static func pretty(_ value: Value, indent: String = "") -> String {
        let inner = indent + "    "
        switch value {
        case .list(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .dict(let dict) where !dict.isEmpty:
            return "{\n"
                + dict.map { inner + Value.jsonString($0.key) + ": " + pretty($0.value, indent: inner) }
                .joined(separator: ",\n") + "\n\(indent)}"
        default:
            return value.json
        }
    }
}
