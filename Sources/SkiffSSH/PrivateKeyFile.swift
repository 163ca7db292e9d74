import SkiffCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A private key read from disk once per run and offered to every host from memory.
public struct PrivateKeyFile: Sendable {
    public let path: String
    /// The file's bytes (PEM or OpenSSH format), never shown.
    let contents: Sensitive<[UInt8]>
    let passphrase: Sensitive<String>?
    /// The public key type when the file says (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …).
    public let keyType: String?
    public let isEncrypted: Bool
    /// True when Skiff decrypted the key itself on load, so that hosts get it unencrypted.
    public let isDecrypted: Bool
    /// The key itself when it is an OpenSSH ed25519 key Skiff can sign with in process.
    let ed25519: Ed25519Identity?

    public init(path: String, passphrase: Sensitive<String>? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.localFile, host: "localhost", "cannot read private key \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let described = Self.describe(text)
        self.path = path
        self.keyType = described.type
        self.isEncrypted = described.encrypted
        if described.encrypted, let passphrase, text.contains("BEGIN OPENSSH PRIVATE KEY") {
            // Decrypt once here rather than once per host inside libssh2 (bcrypt costs ~0.2 s a time).
            do {
                let plain = try OpenSSHKeyDecryptor.decrypt(pem: text, passphrase: passphrase.revealed)
                self.contents = Sensitive(Array(plain.utf8))
                self.passphrase = nil
                self.isDecrypted = true
                self.ed25519 = Ed25519Identity(armored: plain)
                return
            } catch OpenSSHKeyDecryptor.Failure.wrongPassphrase {
                throw SSHError(.localFile, host: "localhost", "cannot decrypt private key \(path): wrong passphrase")
            } catch {
                // A cipher or format Skiff does not decrypt itself: libssh2 decrypts it for each host.
            }
        }
        self.contents = Sensitive(Array(data))
        self.passphrase = passphrase
        self.isDecrypted = false
        self.ed25519 = described.encrypted ? nil : Ed25519Identity(armored: text)
    }

    /// An encrypted key that cannot be used: no passphrase was given for it.
    public var lacksPassphrase: Bool { isEncrypted && !isDecrypted && passphrase == nil }

    public var isRSA: Bool { keyType == "ssh-rsa" }

    /// Reads the key type and whether the key is encrypted from the file's armour and header,
    /// without decrypting anything.
    static func describe(_ text: String) -> (type: String?, encrypted: Bool) {
        if text.contains("BEGIN RSA PRIVATE KEY") { return ("ssh-rsa", text.contains("ENCRYPTED")) }
        if text.contains("BEGIN EC PRIVATE KEY") { return ("ecdsa", text.contains("ENCRYPTED")) }
        if text.contains("BEGIN DSA PRIVATE KEY") { return ("ssh-dss", text.contains("ENCRYPTED")) }
        if text.contains("BEGIN ENCRYPTED PRIVATE KEY") { return (nil, true) }
        guard text.contains("BEGIN OPENSSH PRIVATE KEY"), let container = OpenSSHKeyContainer(armored: text) else {
            return (nil, false)
        }
        return (HostKey(blob: container.publicKey)?.type, container.isEncrypted)
    }
}

/// What Skiff may offer a server to prove who it is, in the order it offers them:
/// the ssh-agent's identities, then the key files, then the password.
public struct SSHCredentials: Sendable {
    public var keyFiles: [PrivateKeyFile]
    /// The ssh-agent socket to ask (usually `$SSH_AUTH_SOCK`); nil to not use an agent.
    public var agentSocket: String?
    public var password: Sensitive<String>?

    public init(keyFiles: [PrivateKeyFile] = [], agentSocket: String? = nil, password: Sensitive<String>? = nil) {
        self.keyFiles = keyFiles
        self.agentSocket = agentSocket
        self.password = password
    }
}
