import Foundation

/// Client key pairs made with `ssh-keygen`, in the formats Skiff must read.
public struct TestKey: Sendable {
    public let privateKeyPath: String
    public let publicKey: String
    public let passphrase: String?
}

public enum TestKeyKind: String, Sendable, CaseIterable {
    case ed25519
    case ed25519Encrypted
    case ecdsa
    case ecdsaEncrypted
    case ecdsaPEM
    case ecdsaPEMEncrypted
    case rsa

    var keygenArguments: [String] {
        switch self {
        case .ed25519, .ed25519Encrypted: return ["-t", "ed25519"]
        case .ecdsa, .ecdsaEncrypted: return ["-t", "ecdsa", "-b", "256"]
        case .ecdsaPEM, .ecdsaPEMEncrypted: return ["-t", "ecdsa", "-b", "384", "-m", "PEM"]
        case .rsa: return ["-t", "rsa", "-b", "2048"]
        }
    }

    var passphrase: String? {
        switch self {
        case .ed25519Encrypted, .ecdsaEncrypted, .ecdsaPEMEncrypted: return "correct horse battery"
        default: return nil
        }
    }
}

/// Makes each kind of key once per test process.
public final class TestKeys: @unchecked Sendable {
    public static let shared = TestKeys()

    private let lock = NSLock()
    private var made: [TestKeyKind: TestKey] = [:]
    private let directory: ScratchDirectory

    private init() {
        directory = try! ScratchDirectory("keys")
    }

    public func key(_ kind: TestKeyKind) throws -> TestKey {
        lock.lock()
        defer { lock.unlock() }
        if let key = made[kind] { return key }
        let path = directory.file("id_\(kind.rawValue)")
        try Shell.run(["ssh-keygen", "-q"] + kind.keygenArguments + ["-N", kind.passphrase ?? "", "-C", "skiff-test-\(kind.rawValue)", "-f", path])
        let publicKey = try String(contentsOfFile: path + ".pub", encoding: .utf8)
        let key = TestKey(privateKeyPath: path, publicKey: publicKey.trimmingCharacters(in: .whitespacesAndNewlines), passphrase: kind.passphrase)
        made[kind] = key
        return key
    }
}
