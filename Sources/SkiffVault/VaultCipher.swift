import Crypto
import CryptoExtras
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Ansible Vault's AES256 cipher (formats 1.1 and 1.2): PBKDF2-HMAC-SHA256 over the password and the
/// envelope's salt, 10 000 rounds, gives 80 bytes — an AES-256 key, an HMAC-SHA256 key and the 16-byte
/// initial counter. The HMAC of the ciphertext is checked first (a wrong password fails there), then
/// AES-CTR decrypts and the PKCS#7 padding is removed.
enum VaultCipher {
    static let rounds = 10_000

    /// The plaintext, or nil when the password does not open the envelope.
    static func decrypt(_ envelope: VaultEnvelope, password: [UInt8]) throws(VaultError) -> [UInt8]? {
        let derived: SymmetricKey
        do {
            derived = try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: envelope.salt, using: .sha256, outputByteCount: 80, unsafeUncheckedRounds: rounds)
        } catch {
            throw .malformed("the key cannot be derived")
        }
        let keys = derived.withUnsafeBytes { Array($0) }
        let cipherKey = SymmetricKey(data: keys[0..<32])
        let macKey = SymmetricKey(data: keys[32..<64])
        guard HMAC<SHA256>.isValidAuthenticationCode(envelope.hmac, authenticating: envelope.ciphertext, using: macKey) else {
            return nil
        }
        let padded: [UInt8]
        do {
            padded = Array(try AES._CTR.decrypt(envelope.ciphertext, using: cipherKey, nonce: AES._CTR.Nonce(nonceBytes: keys[64..<80])))
        } catch {
            throw .malformed("the ciphertext cannot be decrypted")
        }
        guard let last = padded.last, (1...16).contains(last), padded.count >= Int(last),
              padded.suffix(Int(last)).allSatisfy({ $0 == last }) else {
            throw .malformed("the padding is invalid")
        }
        return Array(padded.dropLast(Int(last)))
    }
}
