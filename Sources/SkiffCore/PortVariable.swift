/// The variables that name a host's SSH port (`ansible_port`, `skiff_port`), checked where they are
/// written, so that a port that cannot be one is invalid input found before any host is contacted.
public enum PortVariable {
    public static let names: Set<String> = ["ansible_port", "skiff_port"]

    /// Why `value` is no port number (1 to 65535), or nil when it is one, is empty, or is a template
    /// whose value is known only when the host's variables are rendered.
    public static func problem(with value: Value) -> String? {
        switch value {
        case .null: return nil
        case .int(let number): return (1...65535).contains(number) ? nil : "\(number) is not a port number (1 to 65535)"
        case .string(let text):
            if text.contains("{{") || text.contains("{%") { return nil }
            guard let number = Int(text.trimmingCharacters(in: " ")) else { return "'\(text)' is not a port number (1 to 65535)" }
            return problem(with: .int(number))
        default:
            return "\(value.json) is not a port number (1 to 65535)"
        }
    }
}
