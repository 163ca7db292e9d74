/// Which variables hold secrets, by name: the connection and become passwords, and any name that looks
/// secret (`*password*`, `*passwd*`, `*secret*`, `*token*`, `*_key`, `*apikey*`). Their values are masked in
/// console output and fingerprinted, never stored, in the audit log.
public enum SecretNames {
    public static func looksSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower == "ansible_password" || lower == "ansible_ssh_pass" || lower.hasPrefix("ansible_become_pass") { return true }
        return ["password", "passwd", "secret", "token", "apikey", "api_key", "private_key"].contains { lower.contains($0) }
            || lower.hasSuffix("_key")
    }
}

/// Replaces known secret values in text with `********` (longest first, so a secret that contains
/// another is masked whole). Values shorter than 4 characters are not masked: they would hide ordinary words.
public struct SecretMask: Sendable {
    public static let placeholder = "********"
    private let secrets: [String]
    private let replacement: @Sendable (String) -> String

    /// - Parameter replacement: what a secret becomes (default `********`; with an audit log, its fingerprint).
    public init(_ secrets: some Sequence<String>, replacement: @escaping @Sendable (String) -> String = { _ in SecretMask.placeholder }) {
        self.secrets = Set(secrets.filter { $0.count >= 4 }).sorted { $0.count > $1.count }
        self.replacement = replacement
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func apply(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) { result = result.replacingAll(secret, with: replacement(secret)) }
        return result
    }

    /// The secret values in some variables: those whose names look secret, at any depth.
    public static func values(in variables: some Sequence<(key: String, value: Value)>) -> [String] {
        var found: [String] = []
        func collect(_ value: Value, secretName: Bool) {
            switch value {
            case .dict(let dict): for (key, inner) in dict { collect(inner, secretName: secretName || SecretNames.looksSecret(key)) }
            case .list(let items): for item in items { collect(item, secretName: secretName) }
            case .null: break
            default: if secretName { found.append(value.text) }
            }
        }
        for (key, value) in variables { collect(value, secretName: SecretNames.looksSecret(key)) }
        return found
    }
}
