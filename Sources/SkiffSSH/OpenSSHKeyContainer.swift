#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `openssh-key-v1` container of an OpenSSH-format private key file (`-----BEGIN OPENSSH PRIVATE
/// KEY-----`): cipher and KDF names, KDF options, the key count, the first public key in the clear, then
/// the private section (encrypted unless the cipher is `none`). Read by `PrivateKeyFile.describe`,
/// `OpenSSHKeyDecryptor` and `Ed25519Identity`.
struct OpenSSHKeyContainer {
    static let magic = Array("openssh-key-v1".utf8) + [0]

    let cipherName: String
    let kdfName: String
    let kdfOptions: [UInt8]
    let keyCount: UInt32
    /// The first public key as SSH sends it: string type, then the key.
    let publicKey: [UInt8]
    /// Missing in a truncated file; only `describe` makes do without it.
    let privateSection: [UInt8]?

    var isEncrypted: Bool { cipherName != "none" }

    /// The container's bytes: the armoured text's base64 body, when it starts with the magic.
    static func blob(armored text: String) -> [UInt8]? {
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let blob = Data(base64Encoded: body).map(Array.init), blob.starts(with: magic) else { return nil }
        return blob
    }

    /// Nil when the header fields up to the first public key cannot be read.
    init?(blob: [UInt8]) {
        var reader = SSHWireReader(Array(blob.dropFirst(Self.magic.count)))
        guard let cipher = reader.readString(), let kdf = reader.readString(), let kdfOptions = reader.readString(),
            let keyCount = reader.readUInt32(), let publicKey = reader.readString()
        else { return nil }
        self.cipherName = String(decoding: cipher, as: UTF8.self)
        self.kdfName = String(decoding: kdf, as: UTF8.self)
        self.kdfOptions = kdfOptions
        self.keyCount = keyCount
        self.publicKey = publicKey
        self.privateSection = reader.readString()
    }

    init?(armored text: String) {
        guard let blob = Self.blob(armored: text) else { return nil }
        self.init(blob: blob)
    }
}
