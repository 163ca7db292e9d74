/// Why vault-encrypted text could not be read. The messages name no password and no plaintext.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not an Ansible Vault envelope Skiff can read (bad header, bad hex, truncated).
    case malformed(String)
    /// A cipher other than AES256 (the old `AES` format is refused, as ansible-core refuses it).
    case unsupportedCipher(String)
    /// No vault password was given to the run.
    case noPassword(label: String?)
    /// None of the passwords given opens it (the HMAC does not match).
    case wrongPassword(label: String?, tried: [String])

    public var description: String {
        switch self {
        case .malformed(let reason): return "not a readable Ansible Vault: \(reason)"
        case .unsupportedCipher(let name): return "vault cipher \(name) is not supported (only AES256)"
        case .noPassword(let label):
            return "vault-encrypted\(label.map { " (vault id '\($0)')" } ?? ""), but no vault password was given: "
                + "use --vault-password-file, --vault-id or --ask-vault-pass"
        case .wrongPassword(let label, let tried):
            let ids = tried.map { "'\($0)'" }.joined(separator: ", ")
            return "no vault password given opens this\(label.map { " (vault id '\($0)')" } ?? "") (tried vault ids \(ids))"
        }
    }
}
