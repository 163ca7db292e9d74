import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// OpenPGP public keys as apt reads them from `/etc/apt/trusted.gpg.d`: a sequence of packets (binary,
/// `.gpg`) or the same ASCII-armored (`.asc`). Splits it into keys (each a public-key packet and what
/// follows it up to the next), computes their fingerprints and key ids (v4: SHA-1, key id its last 8
/// bytes; v5/v6: SHA-256, key id its first 8 bytes), and writes keys back. What cannot be read is no key:
/// reading never fails on bad input.
struct OpenPGPKeyring: Sendable, Equatable {
    struct Key: Sendable, Equatable {
        /// The key's packets, as they were.
        var packets: [UInt8]
        /// Upper-case hex fingerprints, the primary key's first, then its subkeys'.
        var fingerprints: [String]
        /// Upper-case hex long (16-digit) key ids, in the same order.
        var keyIDs: [String]

        /// Whether `id` (8, 16 or more hex digits, upper case, no `0x`) names the key or one of its subkeys.
        func matches(_ id: String) -> Bool {
            for (fingerprint, keyID) in zip(fingerprints, keyIDs) {
                if fingerprint == id || keyID == id || (id.count == 8 && keyID.hasSuffix(id)) || (id.count > 16 && fingerprint.hasSuffix(id)) {
                    return true
                }
            }
            return false
        }
    }

    var keys: [Key]

    static let armorBegin = "-----BEGIN PGP PUBLIC KEY BLOCK-----"

    /// Keys from armored text (every block in it) or binary packets.
    init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(1 << 22), as: UTF8.self)
        if text.contains(Self.armorBegin) {
            keys = Self.dearmor(text).flatMap { Self.split($0) }
        } else {
            keys = Self.split(bytes)
        }
    }

    init(keys: [Key]) { self.keys = keys }

    /// All keys' packets, one after another: a binary keyring (`.gpg`).
    var binary: [UInt8] { keys.flatMap(\.packets) }

    /// The keys as one ASCII-armored block (`.asc`).
    var armored: String {
        let data = Data(binary)
        let body = data.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let crc = Self.crc24(binary)
        let checksum = Data([UInt8((crc >> 16) & 0xff), UInt8((crc >> 8) & 0xff), UInt8(crc & 0xff)]).base64EncodedString()
        return "\(Self.armorBegin)\n\n\(body)\n=\(checksum)\n-----END PGP PUBLIC KEY BLOCK-----\n"
    }

    /// The long key ids of every primary key and subkey.
    var allKeyIDs: [String] { keys.flatMap(\.keyIDs) }

    /// The bytes of each armored block in the text.
    static func dearmor(_ text: String) -> [[UInt8]] {
        var blocks: [[UInt8]] = []
        var body: String?
        var inHeaders = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK") {
                body = ""
                inHeaders = true
            } else if line.hasPrefix("-----END PGP") {
                if let body, let data = Data(base64Encoded: body, options: .ignoreUnknownCharacters) { blocks.append(Array(data)) }
                body = nil
            } else if body != nil {
                if inHeaders {
                    if line.isEmpty { inHeaders = false } else if !line.contains(":") { inHeaders = false; body? += line }
                } else if !line.hasPrefix("=") {
                    body? += line
                }
            }
        }
        return blocks
    }

    /// The packets of a binary sequence, grouped into keys.
    static func split(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var current: (start: Int, fingerprints: [String], ids: [String])?
        var index = 0
        func close(at end: Int) {
            if let open = current, !open.fingerprints.isEmpty {
                keys.append(Key(packets: Array(bytes[open.start..<end]), fingerprints: open.fingerprints, keyIDs: open.ids))
            }
            current = nil
        }
        while index < bytes.count {
            guard let (tag, bodyStart, bodyEnd) = packet(in: bytes, at: index) else { break }
            if tag == 6 {
                close(at: index)
                current = (index, [], [])
            }
            if tag == 6 || tag == 14, current != nil, let (fingerprint, keyID) = identity(Array(bytes[bodyStart..<bodyEnd])) {
                current?.fingerprints.append(fingerprint)
                current?.ids.append(keyID)
            }
            index = bodyEnd
        }
        close(at: index)
        return keys
    }

    /// The tag and body range of the packet at `index`, nil when its header is unreadable or it runs past the end.
    static func packet(in bytes: [UInt8], at index: Int) -> (tag: Int, bodyStart: Int, bodyEnd: Int)? {
        guard index < bytes.count, bytes[index] & 0x80 != 0 else { return nil }
        let header = bytes[index]
        var position = index + 1
        func byte() -> Int? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return Int(bytes[position])
        }
        let tag: Int
        let length: Int
        if header & 0x40 != 0 {
            tag = Int(header & 0x3f)
            guard let first = byte() else { return nil }
            switch first {
            case 0..<192: length = first
            case 192..<224:
                guard let second = byte() else { return nil }
                length = ((first - 192) << 8) + second + 192
            case 255:
                guard let a = byte(), let b = byte(), let c = byte(), let d = byte() else { return nil }
                length = (a << 24) | (b << 16) | (c << 8) | d
            default: return nil
            }
        } else {
            tag = Int((header >> 2) & 0x0f)
            switch header & 0x03 {
            case 0: guard let a = byte() else { return nil }; length = a
            case 1: guard let a = byte(), let b = byte() else { return nil }; length = (a << 8) | b
            case 2:
                guard let a = byte(), let b = byte(), let c = byte(), let d = byte() else { return nil }
                length = (a << 24) | (b << 16) | (c << 8) | d
            default: length = bytes.count - position
            }
        }
        guard length >= 0, length <= bytes.count - position else { return nil }
        return (tag, position, position + length)
    }

    /// The fingerprint and long key id of a public-key or public-subkey packet body (v4, v5, v6).
    static func identity(_ body: [UInt8]) -> (String, String)? {
        guard let version = body.first else { return nil }
        let count = body.count
        switch version {
        case 4:
            guard count <= 0xffff else { return nil }
            let digest = Array(Insecure.SHA1.hash(data: [0x99, UInt8(count >> 8), UInt8(count & 0xff)] + body))
            return (hex(digest), hex(Array(digest.suffix(8))))
        case 5, 6:
            let prefix: [UInt8] = [version == 5 ? 0x9A : 0x9B, UInt8((count >> 24) & 0xff), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
            let digest = Array(SHA256.hash(data: prefix + body))
            return (hex(digest), hex(Array(digest.prefix(8))))
        default:
            return nil
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    /// The CRC-24 of RFC 4880 (the armor's checksum).
    static func crc24(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xB704CE
        for byte in bytes {
            crc ^= UInt32(byte) << 16
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x1000000 != 0 { crc ^= 0x1864CFB }
            }
        }
        return crc & 0xFFFFFF
    }
}
