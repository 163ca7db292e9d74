import Crypto
import Foundation
import SkiffCore
@testable import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("authentication against a real sshd")
struct AuthenticationTests {
    @Test(arguments: [TestKeyKind.ed25519, .ed25519Encrypted, .ecdsa, .ecdsaEncrypted, .ecdsaPEM, .ecdsaPEMEncrypted])
    func keyFilesAuthenticate(kind: TestKeyKind) async throws {
        let fixture = try await SSHFixture.start(key: kind)
        let connection = try await fixture.connect()
        #expect(try await connection.run("id -u").stdoutText == "0\n")
        await connection.close()
    }

    @Test func agentAuthenticates() async throws {
        let fixture = try await SSHFixture.start(key: .ecdsa)
        let socket = fixture.files.file("agent.sock")
        let agent = try Shell.spawn(["ssh-agent", "-D", "-a", socket])
        defer {
            kill(agent, SIGKILL)
            Shell.wait(for: agent)
        }
        // The socket exists before the agent listens on it: retry until the key is added.
        var added = false
        for _ in 0..<300 where !added {
            added = (try? Shell.run(["ssh-add", fixture.key.privateKeyPath], environment: ["SSH_AUTH_SOCK": socket])) != nil
            if !added { usleep(10_000) }
        }
        #expect(added, "ssh-add reached the agent")

        let credentials = SSHCredentials(agentSocket: socket)
        let connection = try await SSHConnection.connect(to: fixture.target, options: fixture.options(), credentials: credentials)
        #expect(try await connection.run("echo agent").stdoutText == "agent\n")
        await connection.close()
    }

    @Test func passwordAuthenticates() async throws {
        let password = "pässwörd with spaces"
        let fixture = try await SSHFixture.start(password: password)
        let credentials = SSHCredentials(password: Sensitive(password))
        let connection = try await SSHConnection.connect(to: fixture.target, options: fixture.options(), credentials: credentials)
        #expect(try await connection.run("echo pw").stdoutText == "pw\n")
        await connection.close()

        let wrong = SSHCredentials(password: Sensitive("not it"))
        let error = await sshError { _ = try await SSHConnection.connect(to: fixture.target, options: fixture.options(), credentials: wrong) }
        #expect(error?.kind == .authenticationFailed)
        #expect(error?.message.contains("password") == true)
        #expect(error?.message.contains("not it") == false, "the password is never in a message")
    }

    @Test func aWrongKeyGivesAClearAuthenticationError() async throws {
        let fixture = try await SSHFixture.start(key: .ed25519)
        let stranger = try TestKeys.shared.key(.ecdsa)
        let credentials = SSHCredentials(keyFiles: [try PrivateKeyFile(path: stranger.privateKeyPath)])
        let error = await sshError { _ = try await SSHConnection.connect(to: fixture.target, options: fixture.options(), credentials: credentials) }
        #expect(error?.kind == .authenticationFailed)
        #expect(error?.message.contains(stranger.privateKeyPath) == true)
        #expect(error?.message.contains("user root") == true)
        #expect(error?.message.contains("publickey") == true, "names what the server accepts: \(error?.message ?? "")")
        #expect(error?.isUnreachable == true)
    }

    @Test func anEncryptedKeyWithoutItsPassphraseSaysSo() async throws {
        let fixture = try await SSHFixture.start(key: .ed25519Encrypted)
        let credentials = SSHCredentials(keyFiles: [try PrivateKeyFile(path: fixture.key.privateKeyPath)])
        let error = await sshError { _ = try await SSHConnection.connect(to: fixture.target, options: fixture.options(), credentials: credentials) }
        #expect(error?.kind == .authenticationFailed)
        #expect(error?.message.contains("encrypted") == true, "message: \(error?.message ?? "")")

        // A wrong passphrase is found when the key is loaded, before any host is contacted.
        let path = fixture.key.privateKeyPath
        let second = await sshError { _ = try await offPool { try PrivateKeyFile(path: path, passphrase: Sensitive("nope")) } }
        #expect(second?.kind == .localFile)
        #expect(second?.message.contains("wrong passphrase") == true, "message: \(second?.message ?? "")")
        #expect(second?.message.contains("nope") == false)
    }

    @Test func aRejectedRSAKeyExplainsSHA1() async throws {
        let fixture = try await SSHFixture.start(key: .rsa)
        let error = await sshError { _ = try await fixture.connect() }
        #expect(error?.kind == .authenticationFailed)
        #expect(error?.message.contains("SHA-1") == true, "message: \(error?.message ?? "")")
        #expect(error?.message.contains("ed25519") == true)
    }

    @Test func theKeyFileIsReadOnceAndDescribed() throws {
        let encrypted = try PrivateKeyFile(path: try TestKeys.shared.key(.ed25519Encrypted).privateKeyPath)
        #expect(encrypted.keyType == "ssh-ed25519")
        #expect(encrypted.isEncrypted)
        let plain = try PrivateKeyFile(path: try TestKeys.shared.key(.ecdsa).privateKeyPath)
        #expect(plain.keyType == "ecdsa-sha2-nistp256")
        #expect(!plain.isEncrypted)
        let rsa = try PrivateKeyFile(path: try TestKeys.shared.key(.rsa).privateKeyPath)
        #expect(rsa.isRSA)
        #expect("\(encrypted)".contains("REDACTED") || !"\(encrypted)".contains("PRIVATE KEY"), "contents never print")
    }

    @Test func ed25519KeysSignInProcessWithTheirOwnKey() throws {
        let key = try TestKeys.shared.key(.ed25519)
        let file = try PrivateKeyFile(path: key.privateKeyPath)
        let identity = try #require(file.ed25519, "an unencrypted OpenSSH ed25519 key is signed with in process")
        // The blob offered is the one in the .pub file, and a signature checks out under that public key.
        let published = try #require(Data(base64Encoded: String(key.publicKey.split(separator: " ")[1])))
        #expect(identity.publicKeyBlob == Array(published))
        let message = Array("session id and userauth request".utf8)
        let signature = try message.withUnsafeBytes { try identity.signature(for: $0) }
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: published.suffix(32))
        #expect(signature.count == 64)
        #expect(publicKey.isValidSignature(signature, for: message))
        #expect(!publicKey.isValidSignature(signature, for: message + [0]))

        let decrypted = try PrivateKeyFile(
            path: try TestKeys.shared.key(.ed25519Encrypted).privateKeyPath,
            passphrase: TestKeys.shared.key(.ed25519Encrypted).passphrase.map(Sensitive.init))
        #expect(decrypted.ed25519 != nil, "a key Skiff decrypted signs in process too")
        #expect(try PrivateKeyFile(path: try TestKeys.shared.key(.ed25519Encrypted).privateKeyPath).ed25519 == nil)
        #expect(try PrivateKeyFile(path: try TestKeys.shared.key(.ecdsa).privateKeyPath).ed25519 == nil, "other kinds go to libssh2")
        #expect("\(identity)".contains(Sensitive<String>.redactedText), "the private key never prints")
    }
}
