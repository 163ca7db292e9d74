import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A server's public host key: its SSH type name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …) and wire blob.
public struct HostKey: Sendable, Hashable {
    public let type: String
    public let blob: [UInt8]

    public init(type: String, blob: [UInt8]) {
        self.type = type
        self.blob = blob
    }

    /// Reads the type from the blob itself (its first SSH string).
    public init?(blob: [UInt8]) {
        var reader = SSHWireReader(blob)
        guard let type = reader.readString().map({ String(decoding: $0, as: UTF8.self) }) else { return nil }
        self.init(type: type, blob: blob)
    }

    /// `SHA256:…` as `ssh-keygen -l` prints it (base64 without padding).
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.trimmingTrailing("=")
    }

    /// The key family as `ssh-keygen -l` names it: ED25519, ECDSA, RSA, DSA.
    public var family: String {
        switch type {
        case "ssh-ed25519": return "ED25519"
        case let ecdsa where ecdsa.hasPrefix("ecdsa-sha2-"): return "ECDSA"
        case "ssh-rsa": return "RSA"
        case "ssh-dss": return "DSA"
        default: return type
        }
    }

    /// Key size in bits, as `ssh-keygen -l` prints it.
    public var bits: Int? {
        switch type {
        case "ssh-ed25519": return 256
        case "ecdsa-sha2-nistp256": return 256
        case "ecdsa-sha2-nistp384": return 384
        case "ecdsa-sha2-nistp521": return 521
        case "ssh-rsa", "ssh-dss":
            var reader = SSHWireReader(blob)
            _ = reader.readString()
            if type == "ssh-rsa" { _ = reader.readString() }  // exponent comes before the modulus
            return reader.readString().map(Self.bitLength)
        default: return nil
        }
    }

    /// `256 SHA256:… (ED25519)`: the shape of `ssh-keygen -l` output, without a comment.
    public var fingerprintLine: String {
        let size = bits.map { "\($0) " } ?? ""
        return "\(size)\(fingerprint) (\(family))"
    }

    /// The base64 form written in known_hosts.
    public var base64: String { Data(blob).base64EncodedString() }

    private static func bitLength(_ mpint: [UInt8]) -> Int {
        guard let first = mpint.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (mpint.count - first - 1) * 8 + (8 - mpint[first].leadingZeroBitCount)
    }
}

/// Reads SSH wire-format values (RFC 4251 §5).
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func readUInt32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readString() -> [UInt8]? {
        guard let length = readUInt32().map(Int.init), offset + length <= bytes.count else { return nil }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, offset + count <= bytes.count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

extension String {
    func trimmingTrailing(_ character: Character) -> String {
        var result = Substring(self)
        while result.last == character { result = result.dropLast() }
        return String(result)
    }
}
