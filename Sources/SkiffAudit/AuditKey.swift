import SkiffCore
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The per-log key that turns secrets into fingerprints: `hmac-sha256:HEX`. The same secret gives the same
/// fingerprint in every run written to this log, and the secret cannot be recovered from it. The key lives
/// beside the log (`LOG.key`, mode 0600), created on first use.
public struct AuditKey: Sendable {
    private let key: SymmetricKey

    public init(bytes: [UInt8]) { key = SymmetricKey(data: bytes) }

    public static func path(forLog log: String) -> String { log + ".key" }

    /// Reads the key beside `log`, creating it (32 random bytes, hex, 0600) when there is none.
    public static func loadOrCreate(forLog log: String) throws(AuditError) -> AuditKey {
        let path = path(forLog: log)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let ok = FileIO.writeAll(fd, Array(Hex.encode(bytes).utf8)) && fsync(fd) == 0
            close(fd)
            guard ok else { throw AuditError("cannot write the audit key \(path): \(FileIO.errorText())") }
            return AuditKey(bytes: bytes)
        }
        guard errno == EEXIST else { throw AuditError("cannot create the audit key \(path): \(FileIO.errorText())") }
        guard let text = FileContents.read(path), let bytes = Hex.decode(String(decoding: text, as: UTF8.self)), bytes.count >= 16 else {
            throw AuditError("cannot read the audit key \(path) (it should hold 64 hex digits)")
        }
        return AuditKey(bytes: bytes)
    }

    public func fingerprint(_ secret: String) -> String {
        "hmac-sha256:" + Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: key)))
    }
}

/// Lowercase hex.
enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8).filter { $0 != 0x0a && $0 != 0x20 }
        guard chars.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < chars.count {
            guard let byte = UInt8(String(decoding: chars[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }

    static func sha256(_ bytes: ArraySlice<UInt8>) -> String { encode(SHA256.hash(data: bytes)) }
}
