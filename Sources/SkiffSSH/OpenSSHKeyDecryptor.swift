import Crypto
import CryptoExtras
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decrypts an encrypted OpenSSH-format private key (`bcrypt` KDF, `aes*-ctr` cipher) once, and
/// re-encodes it unencrypted in memory, so that every host's authentication skips the deliberately
/// slow key derivation (about 0.2 s of CPU per use).
enum OpenSSHKeyDecryptor {
    enum Failure: Error, Equatable {
        case notOpenSSHFormat
        case unsupported(String)
        case wrongPassphrase
        case malformed
    }

    /// Returns the key as an unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` file.
    static func decrypt(pem: String, passphrase: String) throws -> String {
        guard let blob = OpenSSHKeyContainer.blob(armored: pem) else { throw Failure.notOpenSSHFormat }
        guard let container = OpenSSHKeyContainer(blob: blob), container.keyCount == 1,
            let encrypted = container.privateSection
        else { throw Failure.malformed }
        guard container.kdfName == "bcrypt" else { throw Failure.unsupported("key derivation \(container.kdfName)") }
        let keyLength: Int
        switch container.cipherName {
        case "aes128-ctr": keyLength = 16
        case "aes192-ctr": keyLength = 24
        case "aes256-ctr": keyLength = 32
        default: throw Failure.unsupported("cipher \(container.cipherName)")
        }
        var options = SSHWireReader(container.kdfOptions)
        guard let salt = options.readString(), let rounds = options.readUInt32() else { throw Failure.malformed }
        guard encrypted.count % 16 == 0 else { throw Failure.malformed }

        let derived = BcryptPBKDF.derive(
            password: Array(passphrase.utf8), salt: salt, rounds: Int(rounds), length: keyLength + 16)
        let plain = try Array(
            AES._CTR.decrypt(
                encrypted, using: SymmetricKey(data: derived[0..<keyLength]),
                nonce: AES._CTR.Nonce(nonceBytes: derived[keyLength...])))
        var check = SSHWireReader(plain)
        guard let first = check.readUInt32(), let second = check.readUInt32(), first == second else {
            throw Failure.wrongPassphrase
        }

        // The same key, with cipher "none", KDF "none", no KDF options, one key.
        let unencrypted = OpenSSHKeyContainer.magic + wireString(Array("none".utf8)) + wireString(Array("none".utf8)) + wireString([])
            + [0, 0, 0, 1] + wireString(container.publicKey) + wireString(plain)
        return armor(unencrypted)
    }

    private static func wireString(_ bytes: [UInt8]) -> [UInt8] {
        let count = UInt32(bytes.count)
        return [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)] + bytes
    }

    private static func armor(_ blob: [UInt8]) -> String {
        let base64 = Data(blob).base64EncodedString()
        var lines = ["-----BEGIN OPENSSH PRIVATE KEY-----"]
        var start = base64.startIndex
        while start < base64.endIndex {
            let end = base64.index(start, offsetBy: 70, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[start..<end]))
            start = end
        }
        lines.append("-----END OPENSSH PRIVATE KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
