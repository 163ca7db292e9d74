/// Replaces known secret values in text with `********` (or, with an audit log, the secret's fingerprint),
/// wherever text leaves the runner: task names, messages, output, diffs, commands shown.
///
/// A secret is also found in the forms it commonly takes on the way: trimmed of surrounding whitespace
/// (a value read from a file ends with a newline), line by line (a TLS key printed by `debug`, in
/// `stdout_lines` or a diff), upper- and lowercased, base64-encoded (`| b64encode`), JSON-escaped (a
/// multi-line value inside JSON) and URL-encoded (`| urlencode`). Each form is replaced by what the secret
/// itself is replaced with. Longest first, so that a secret containing another is masked whole. Values
/// (and lines) shorter than 4 characters are not masked: they would hide ordinary words; lines of a
/// multi-line secret count from 8. Then pieces: any 8 bytes or more in a row that also stand in a secret
/// of 12 bytes or more (a slice, `{{ token[:12] }}`) are masked too (`SecretPieces`).
public struct SecretMask: Sendable {
    public static let placeholder = "********"
    /// Each form to look for, with the secret it stands for; longest first.
    private let forms: [(text: String, secret: String)]
    private let pieces: SecretPieces
    private let replacement: @Sendable (String) -> String

    /// - Parameter replacement: what a secret becomes (default `********`; with an audit log, its fingerprint).
    public init(_ secrets: some Sequence<String>, replacement: @escaping @Sendable (String) -> String = { _ in SecretMask.placeholder }) {
        var forms: [String: String] = [:]
        for secret in Set(secrets) where secret.count >= 4 {
            forms[secret] = secret
            for form in Self.derivedForms(of: secret) where form.count >= 4 && forms[form] == nil { forms[form] = secret }
        }
        self.forms = forms.map { (text: $0.key, secret: $0.value) }.sorted { $0.text.utf8.count > $1.text.utf8.count }
        pieces = SecretPieces(Set(forms.values))
        self.replacement = replacement
    }

    public var isEmpty: Bool { forms.isEmpty }

    public func apply(_ text: String) -> String {
        var result = text
        for form in forms where result.contains(form.text) { result = result.replacingAll(form.text, with: replacement(form.secret)) }
        return pieces.apply(result, replacement: replacement)
    }

    /// The secret values in some variables: those whose names look secret or are declared secret in
    /// `skiff_secret_vars` or `declared` (`--secret-var`), at any depth.
    public static func values(in variables: some Sequence<(key: String, value: Value)>, declared alsoDeclared: Set<String> = []) -> [String] {
        var found: [String] = []
        func collect(_ value: Value, secretName: Bool) {
            switch value {
            case .dict(let dict): for (key, inner) in dict { collect(inner, secretName: secretName || SecretNames.looksSecret(key)) }
            case .list(let items): for item in items { collect(item, secretName: secretName) }
            case .null: break
            default: if secretName { found.append(value.text) }
            }
        }
        let declared = SecretNames.declared(in: variables).union(alsoDeclared)
        for (key, value) in variables where !SecretNames.magic.contains(key) && key != SecretNames.declarations {
            collect(value, secretName: declared.contains(key) || SecretNames.looksSecret(key))
        }
        return found
    }

    static func derivedForms(of secret: String) -> [String] {
        let trimmed = secret.trimmingCharacters(in: " \t\n\r")
        var forms = [trimmed, secret.uppercased(), secret.lowercased(), trimmed.uppercased(), trimmed.lowercased()]
        let lines = secret.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map { $0.trimmingCharacters(in: " \t\n\r") }
        if lines.count > 1 { forms += lines.filter { $0.count >= 8 } }
        for value in Set([secret, trimmed]) {
            forms += [Base64.encode(Array(value.utf8)), String(Value.jsonString(value).dropFirst().dropLast()), percentEncoded(value)]
        }
        return forms.filter { $0 != secret }
    }

    /// As `urlencode` writes it: every byte but unreserved ASCII as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Standard base64 with padding (RFC 4648), for finding encoded secrets.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[Int((value >> (18 - 6 * position)) & 0x3f)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
