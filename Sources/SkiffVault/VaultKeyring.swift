import SkiffCore

/// The vault passwords a run was given, each with its vault id (`default` when none was named), in the
/// order they were given.
///
/// A vault is tried first with the passwords whose id matches its 1.2 header's label (`default` for a
/// 1.1 vault), then with all the others in order, as ansible-core does.
public struct VaultKeyring: Sendable {
    public struct Entry: Sendable {
        public let label: String
        public let password: Sensitive<[UInt8]>

        public init(label: String, password: Sensitive<[UInt8]>) {
            self.label = label
            self.password = password
        }
    }

    public static let defaultLabel = "default"

    public private(set) var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Decrypts vault text (a whole file, or the body of an inline `!vault` value).
    public func decrypt(_ text: some StringProtocol) throws(VaultError) -> [UInt8] {
        let envelope = try VaultEnvelope(text)
        guard !entries.isEmpty else { throw .noPassword(label: envelope.label) }
        let wanted = envelope.label ?? Self.defaultLabel
        let ordered = entries.filter { $0.label == wanted } + entries.filter { $0.label != wanted }
        for entry in ordered {
            if let plaintext = try VaultCipher.decrypt(envelope, password: entry.password.revealed) { return plaintext }
        }
        var tried: [String] = []
        for entry in ordered where !tried.contains(entry.label) { tried.append(entry.label) }
        throw .wrongPassword(label: envelope.label, tried: tried)
    }
}
