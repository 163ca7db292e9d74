/// The parts of an Ansible Vault text: the header line `$ANSIBLE_VAULT;1.1;AES256` (1.2 adds `;LABEL`,
/// the vault id it was encrypted with), then lines of hex. The hex decodes to three lines — the hex salt,
/// the hex HMAC-SHA256 and the hex ciphertext.
public struct VaultEnvelope: Sendable, Equatable {
    public static let marker = "$ANSIBLE_VAULT"

    public let version: String
    public let cipher: String
    /// The vault id of a 1.2 header (nil for 1.1).
    public let label: String?
    public let salt: [UInt8]
    public let hmac: [UInt8]
    public let ciphertext: [UInt8]

    /// Whether text starts as vault text does (leading whitespace of a block scalar aside).
    public static func isVault(_ text: some StringProtocol) -> Bool {
        text.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).hasPrefix(marker)
    }

    public init(_ text: some StringProtocol) throws(VaultError) {
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw .malformed("empty") }
        let header = lines.removeFirst().split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        guard header.count >= 3, header[0] == Self.marker else { throw .malformed("the first line is not a $ANSIBLE_VAULT header") }
        version = String(header[1])
        cipher = String(header[2])
        label = header.count >= 4 && !header[3].isEmpty ? String(header[3]) : nil
        guard version == "1.1" || version == "1.2" else { throw .malformed("vault format \(version) is unknown (1.1 and 1.2 are read)") }
        guard cipher == "AES256" else { throw .unsupportedCipher(cipher) }
        guard let inner = Hex.decode(lines.joined()) else { throw .malformed("the body is not hexadecimal") }
        let parts = inner.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let salt = Hex.decode(parts[0]), let hmac = Hex.decode(parts[1]), let ciphertext = Hex.decode(parts[2]) else {
            throw .malformed("the body does not hold salt, HMAC and ciphertext")
        }
        guard !salt.isEmpty, hmac.count == 32, !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw .malformed("the salt, HMAC or ciphertext has the wrong length")
        }
        self.salt = salt
        self.hmac = hmac
        self.ciphertext = ciphertext
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> Substring {
        let trimmed = self.drop(while: { $0 == " " || $0 == "\t" })
        return Substring(trimmed.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

/// Lowercase or uppercase hexadecimal to bytes; nil for an odd length or a non-hex character.
enum Hex {
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(Array(text.utf8))
    }

    static func decode(_ digits: some Collection<UInt8>) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8?
        for digit in digits {
            guard let nibble = value(of: digit) else { return nil }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
