import Foundation
import SkiffCore
@testable import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("encrypted keys are decrypted once, in Swift")
struct KeyDecryptionTests {
    @Test func blowfishStartsFromTheDigitsOfPi() {
        let words = PiHexDigits.words(18 + 1024)
        #expect(Array(words.prefix(4)) == [0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344])
        #expect(words[18] == 0xD131_0BA6, "first word of the first S-box")
        #expect(words[18 + 1023] == 0x3AC3_72E6, "last word of the last S-box")
    }

    @Test func anEncryptedOpenSSHKeyDecryptsToTheSameKey() throws {
        let key = try TestKeys.shared.key(.ed25519Encrypted)
        let text = try String(contentsOfFile: key.privateKeyPath, encoding: .utf8)
        let plain = try OpenSSHKeyDecryptor.decrypt(pem: text, passphrase: key.passphrase!)
        let files = try ScratchDirectory("decrypted")
        let path = try files.write("id", plain, mode: 0o600)
        // ssh-keygen -y derives the public key from the private one: the decrypted key is the same key.
        let derived = try Shell.run(["ssh-keygen", "-y", "-f", path])
        #expect(derived.split(separator: " ").prefix(2) == key.publicKey.split(separator: " ").prefix(2))
        #expect(PrivateKeyFile.describe(plain).encrypted == false)
    }

    @Test func aWrongPassphraseIsReportedWhenTheKeyIsLoaded() throws {
        let key = try TestKeys.shared.key(.ed25519Encrypted)
        #expect(throws: SSHError.self) { try PrivateKeyFile(path: key.privateKeyPath, passphrase: Sensitive("wrong")) }
        do {
            _ = try PrivateKeyFile(path: key.privateKeyPath, passphrase: Sensitive("wrong"))
        } catch let error as SSHError {
            #expect(error.message.contains("wrong passphrase"))
            #expect(!error.message.contains("wrong\""))
        }
        let loaded = try PrivateKeyFile(path: key.privateKeyPath, passphrase: key.passphrase.map(Sensitive.init))
        #expect(loaded.isEncrypted)
        #expect(loaded.passphrase == nil, "decrypted once: hosts need no passphrase")
    }
}
