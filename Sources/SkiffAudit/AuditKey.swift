import SkiffCore
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The per-log key that turns secrets into fingerprints: `hmac-sha256:HEX`. The same secret gives the same
/// fingerprint in every run written to this log, and the secret cannot be recovered from it. The key lives
/// beside the log (`LOG.key`, mode 0600), created on first use.
///
/// A fleet whose runners are thrown away gives them one shared fingerprint key (`SKIFF_AUDIT_KEY`, 64 hex
/// digits, or `SKIFF_AUDIT_KEY_FILE`): the same secret then has the same fingerprint in every runner's log.
/// The chain is still keyed by the log's own key.
public struct AuditKey: Sendable {
    private let key: SymmetricKey
    private var fingerprintKey: SymmetricKey
    /// True when fingerprints use the fleet's shared key rather than the log's own.
    public private(set) var sharedFingerprints = false
    /// Authenticates records and the head (`chainMAC`): derived from the key, so that no fingerprint of a
    /// secret (which a run's input chooses) can ever be a record's MAC.
    private let chainKey: SymmetricKey

    public init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
        fingerprintKey = key
        chainKey = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array("skiff audit chain v1".utf8), using: key)))
    }

    public static func path(forLog log: String) -> String { log + ".key" }

    /// This key, with fingerprints made by the fleet's shared key when one is given.
    public func sharingFingerprints(_ shared: [UInt8]?) -> AuditKey {
        guard let shared else { return self }
        var copy = self
        copy.fingerprintKey = SymmetricKey(data: shared)
        copy.sharedFingerprints = true
        return copy
    }

    /// The fleet's shared fingerprint key from `SKIFF_AUDIT_KEY` (hex) or the file `SKIFF_AUDIT_KEY_FILE`;
    /// nil when neither is set. At least 128 bits. The error never shows the value.
    public static func sharedFromEnvironment(_ environment: (String) -> String? = Environment.value) throws(AuditError) -> [UInt8]? {
        let text: String
        let source: String
        if let value = environment("SKIFF_AUDIT_KEY"), !value.isEmpty {
            (text, source) = (value, "SKIFF_AUDIT_KEY")
        } else if let file = environment("SKIFF_AUDIT_KEY_FILE"), !file.isEmpty {
            guard let bytes = FileContents.read(file) else { throw AuditError("cannot read SKIFF_AUDIT_KEY_FILE \(file): \(FileIO.errorText())") }
            (text, source) = (String(decoding: bytes, as: UTF8.self), "SKIFF_AUDIT_KEY_FILE \(file)")
        } else {
            return nil
        }
        guard let bytes = Hex.decode(text.trimmingCharacters(in: " \t\n\r")), bytes.count >= 16 else {
            throw AuditError("\(source) must hold a key of at least 32 hex digits (e.g. from `openssl rand -hex 32`)")
        }
        return bytes
    }

    /// Reads the key beside `log`, creating it (32 random bytes, hex, 0600) when there is none. The key is
    /// written whole to a file of its own, synced, and only then linked into place (`link` fails when a key
    /// is already there), so that runs starting at once on a fresh log agree on one key and a full disk
    /// leaves no partial key behind. An empty key (left by an older version when the disk was full) counts
    /// as none and is replaced, once, under a lock beside it.
    public static func loadOrCreate(forLog log: String) throws(AuditError) -> AuditKey {
        let path = path(forLog: log)
        if let existing = try read(path) { return existing }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let temporary = try writeTemporary(bytes, beside: path)
        defer { unlink(temporary) }
        if link(temporary, path) == 0 { return AuditKey(bytes: bytes) }
        guard errno == EEXIST else { throw AuditError("cannot create the audit key \(path): \(FileIO.errorText())") }
        if let existing = try read(path) { return existing }
        return try replaceEmpty(path, with: temporary, bytes: bytes)
    }

    /// The key beside `log`, without creating one: nil when there is none (or it is empty).
    public static func load(forLog log: String) throws(AuditError) -> AuditKey? {
        try read(path(forLog: log))
    }

    /// The key at `path`; nil when there is none or it is empty; an error when it is not a key.
    private static func read(_ path: String) throws(AuditError) -> AuditKey? {
        guard let text = FileContents.read(path) else {
            guard errno == ENOENT else { throw AuditError("cannot read the audit key \(path): \(FileIO.errorText())") }
            return nil
        }
        if text.isEmpty { return nil }
        guard let bytes = Hex.decode(String(decoding: text, as: UTF8.self)), bytes.count >= 16 else {
            throw AuditError("cannot read the audit key \(path) (it should hold 64 hex digits)")
        }
        return AuditKey(bytes: bytes)
    }

    /// A new file beside `path` holding the key in hex, synced.
    private static func writeTemporary(_ bytes: [UInt8], beside path: String) throws(AuditError) -> String {
        var generator = SystemRandomNumberGenerator()
        let temporary = path + ".new-" + Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditError("cannot create the audit key \(path): \(FileIO.errorText())") }
        let ok = FileIO.writeAll(fd, Array(Hex.encode(bytes).utf8)) && fsync(fd) == 0
        let code = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw AuditError("cannot write the audit key \(path): \(FileIO.errorText(code))")
        }
        return temporary
    }

    /// Replaces an empty key with the new one, unless another run did first (then that key is used).
    private static func replaceEmpty(_ path: String, with temporary: String, bytes: [UInt8]) throws(AuditError) -> AuditKey {
        let guardFD = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard guardFD >= 0 else { throw AuditError("cannot lock the audit key \(path): \(FileIO.errorText())") }
        defer { close(guardFD) }
        guard flock(guardFD, LOCK_EX) == 0 else { throw AuditError("cannot lock the audit key \(path): \(FileIO.errorText())") }
        defer { flock(guardFD, LOCK_UN) }
        if let existing = try read(path) { return existing }
        guard rename(temporary, path) == 0 else { throw AuditError("cannot replace the empty audit key \(path): \(FileIO.errorText())") }
        return AuditKey(bytes: bytes)
    }

    public func fingerprint(_ secret: String) -> String {
        "hmac-sha256:" + Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: fingerprintKey)))
    }

    /// The MAC of a record's bytes (or of the head's text), lowercase hex: writing one needs the key.
    public func chainMAC(_ bytes: some DataProtocol) -> String {
        Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: bytes, using: chainKey)))
    }
}

/// Lowercase hex.
public enum Hex {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
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

    public static func sha256(_ bytes: ArraySlice<UInt8>) -> String { encode(SHA256.hash(data: bytes)) }

    /// A lowercase hex digit.
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) }
}
