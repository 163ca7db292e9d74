/// Finds pieces of secrets in text: any run of at least `length` bytes that also stands in a secret (a
/// slice, `{{ token[:12] }}`, or a secret cut short by a tail). Each 8-byte window of every secret goes
/// into one set, so a text is scanned once, a window at a time, whatever the number of secrets; windows
/// that match are joined into runs, widened to whole characters.
struct SecretPieces: Sendable {
    static let length = 8
    /// Secrets shorter than this are matched whole only (a piece of a short secret is a common word).
    static let shortest = 12
    private let windows: [UInt64: String]

    init(_ secrets: some Sequence<String>) {
        var windows: [UInt64: String] = [:]
        for secret in secrets where secret.utf8.count >= Self.shortest {
            let bytes = Array(secret.utf8)
            for start in 0...(bytes.count - Self.length) where windows[Self.pack(bytes, start)] == nil {
                windows[Self.pack(bytes, start)] = secret
            }
        }
        self.windows = windows
    }

    var isEmpty: Bool { windows.isEmpty }

    /// The text with each run of secret bytes replaced by `replacement` of the secret it came from.
    func apply(_ text: String, replacement: (String) -> String) -> String {
        let bytes = Array(text.utf8)
        guard !windows.isEmpty, bytes.count >= Self.length else { return text }
        var covered = [String?](repeating: nil, count: bytes.count)
        var found = false
        for start in 0...(bytes.count - Self.length) {
            guard let secret = windows[Self.pack(bytes, start)] else { continue }
            found = true
            for index in start..<(start + Self.length) where covered[index] == nil { covered[index] = secret }
        }
        guard found else { return text }
        // Whole characters: a run starting or ending inside a multi-byte character takes all of it.
        for index in covered.indices where covered[index] != nil {
            var back = index
            while back > 0, bytes[back] & 0xC0 == 0x80, covered[back - 1] == nil {
                back -= 1
                covered[back] = covered[index]
            }
            var forward = index + 1
            while forward < bytes.count, bytes[forward] & 0xC0 == 0x80, covered[forward] == nil {
                covered[forward] = covered[index]
                forward += 1
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard let secret = covered[index] else {
                out.append(bytes[index])
                index += 1
                continue
            }
            while index < bytes.count && covered[index] != nil { index += 1 }
            out += Array(replacement(secret).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func pack(_ bytes: [UInt8], _ start: Int) -> UInt64 {
        var value: UInt64 = 0
        for offset in 0..<length { value = value << 8 | UInt64(bytes[start + offset]) }
        return value
    }
}
