import Foundation
import SkiffCore
@testable import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("encrypted keys are decrypted once, in Swift")
struct KeyDecryptionTests {
    @Test func blowfishStartsFromTheDigitsOfPi() async throws {
        let words = try await offPool { PiHexDigits.words(18 + 1024) }
        #expect(Array(words.prefix(4)) == [0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344])
        #expect(words[18] == 0xD131_0BA6, "first word of the first S-box")
        #expect(words[18 + 1023] == 0x3AC3_72E6, "last word of the last S-box")
    }

    @Test func anEncryptedOpenSSHKeyDecryptsToTheSameKey() async throws {
        let key = try TestKeys.shared.key(.ed25519Encrypted)
        let text = try String(contentsOfFile: key.privateKeyPath, encoding: .utf8)
        let plain = try await offPool { try OpenSSHKeyDecryptor.decrypt(pem: text, passphrase: key.passphrase!) }
        let files = try ScratchDirectory("decrypted")
        let path = try files.write("id", plain, mode: 0o600)
        // ssh-keygen -y derives the public key from the private one: the decrypted key is the same key.
        let derived = try Shell.run(["ssh-keygen", "-y", "-f", path])
        #expect(derived.split(separator: " ").prefix(2) == key.publicKey.split(separator: " ").prefix(2))
        #expect(PrivateKeyFile.describe(plain).encrypted == false)
    }

    @Test func aWrongPassphraseIsReportedWhenTheKeyIsLoaded() async throws {
        let key = try TestKeys.shared.key(.ed25519Encrypted)
        let wrong = await sshError {
            _ = try await offPool { try PrivateKeyFile(path: key.privateKeyPath, passphrase: Sensitive("wrong-one")) }
        }
        #expect(wrong?.kind == .localFile)
        #expect(wrong?.message.contains("wrong passphrase") == true)
        #expect(wrong?.message.contains("wrong-one") == false)

        let loaded = try await offPool { try PrivateKeyFile(path: key.privateKeyPath, passphrase: key.passphrase.map(Sensitive.init)) }
        #expect(loaded.isEncrypted)
        #expect(loaded.isDecrypted)
        #expect(loaded.passphrase == nil, "decrypted once: hosts need no passphrase")
    }
}
