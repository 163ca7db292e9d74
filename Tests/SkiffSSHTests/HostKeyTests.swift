import Foundation
import SkiffCore
import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("host keys checked against known_hosts")
struct HostKeyTests {
    @Test func unknownHostIsRefusedUnderStrictWithItsFingerprint() async throws {
        let fixture = try await SSHFixture.start(knownHostTypes: [])
        let error = await sshError { _ = try await fixture.connect(fixture.options(.strict)) }
        #expect(error?.kind == .hostKeyUnknown)
        let fingerprint = try fixture.host.hostKeyFingerprint("ed25519")
        #expect(error?.message.contains(fingerprint) == true, "message: \(error?.message ?? "")")
        #expect(error?.message.contains("accept-new") == true)
        #expect(!fixture.host.log.contains("Accepted publickey"), "no credential was offered")
    }

    @Test func unknownHostIsRecordedUnderAcceptNewAndTrustedAfterwards() async throws {
        let fixture = try await SSHFixture.start(knownHostTypes: [])
        let connection = try await fixture.connect(fixture.options(.acceptNew))
        #expect(try await connection.run("echo hi").stdoutText == "hi\n")
        await connection.close()

        let recorded = try String(contentsOfFile: fixture.knownHosts, encoding: .utf8)
        #expect(recorded.contains(try fixture.host.knownHostsLine("ed25519")))
        let again = try await fixture.connect(fixture.options(.strict))
        await again.close()
    }

    @Test func changedKeyIsRefusedUnderStrictAndAcceptNewNamingBothFingerprints() async throws {
        let fixture = try await SSHFixture.start(knownHostTypes: [])
        let impostor = try await TestHost.launch()
        let staleLine = "[\(fixture.host.address)]:\(fixture.host.port) \(try impostor.hostPublicKey("ed25519"))"
        let knownHosts = try fixture.files.write("known_hosts_changed", "# old entry\n\(staleLine)\n")

        for policy in [HostKeyPolicy.strict, .acceptNew] {
            let error = await sshError { _ = try await fixture.connect(fixture.options(policy, knownHosts: knownHosts)) }
            #expect(error?.kind == .hostKeyChanged)
            let message = error?.message ?? ""
            #expect(message.contains(try fixture.host.hostKeyFingerprint("ed25519")), "presented key: \(message)")
            #expect(message.contains(try impostor.hostKeyFingerprint("ed25519")), "expected key: \(message)")
            #expect(message.contains("\(knownHosts):2"), "file and line of the expected key: \(message)")
        }
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == "# old entry\n\(staleLine)\n")
    }

    @Test func revokedKeyIsRefused() async throws {
        let fixture = try await SSHFixture.start()
        let revoked = "@revoked * \(try fixture.host.hostPublicKey("ed25519"))"
        let knownHosts = try fixture.files.write(
            "known_hosts_revoked", "\(try fixture.host.knownHostsLine("ed25519"))\n\(revoked)\n")
        let error = await sshError { _ = try await fixture.connect(fixture.options(.acceptNew, knownHosts: knownHosts)) }
        #expect(error?.kind == .hostKeyRevoked)
        #expect(error?.message.contains("@revoked") == true)
    }

    @Test func hashedEntriesMatch() async throws {
        let fixture = try await SSHFixture.start()
        try Shell.run(["ssh-keygen", "-H", "-f", fixture.knownHosts])
        let hashed = try String(contentsOfFile: fixture.knownHosts, encoding: .utf8)
        #expect(hashed.hasPrefix("|1|"))
        let connection = try await fixture.connect(fixture.options(.strict))
        await connection.close()
    }

    @Test func portEntriesDoNotMatchAnotherPortOrTheBareHost() async throws {
        let fixture = try await SSHFixture.start()
        let key = try fixture.host.hostPublicKey("ed25519")
        let wrong = try fixture.files.write(
            "known_hosts_wrong_port", "[\(fixture.host.address)]:\(fixture.host.port + 1) \(key)\n\(fixture.host.address) \(key)\n")
        let error = await sshError { _ = try await fixture.connect(fixture.options(.strict, knownHosts: wrong)) }
        #expect(error?.kind == .hostKeyUnknown)
    }

    @Test func theKeyTypeKnownHostsHoldsIsTheOneAskedFor() async throws {
        // Only the ECDSA key is known: the server must be asked for ECDSA, not ED25519.
        let fixture = try await SSHFixture.start(knownHostTypes: ["ecdsa"])
        let connection = try await fixture.connect(fixture.options(.strict))
        #expect(connection.hostKey.type.hasPrefix("ecdsa-sha2-"))
        await connection.close()

        let edOnly = try await SSHFixture.start(knownHostTypes: ["ed25519"])
        let edConnection = try await edOnly.connect(edOnly.options(.strict))
        #expect(edConnection.hostKey.type == "ssh-ed25519")
        await edConnection.close()
    }

    @Test func insecurePolicyAcceptsAnyKeyWithoutRecordingIt() async throws {
        let fixture = try await SSHFixture.start(knownHostTypes: [])
        let connection = try await fixture.connect(fixture.options(.insecureAcceptAnyHostKey))
        await connection.close()
        #expect(try String(contentsOfFile: fixture.knownHosts, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test func fingerprintMatchesSSHKeygen() async throws {
        let host = try await TestHost.launch()
        for type in ["ed25519", "ecdsa"] {
            let parts = try host.hostPublicKey(type).split(separator: " ")
            let key = try #require(HostKey(blob: Array(Data(base64Encoded: String(parts[1]))!)))
            #expect(key.fingerprint == (try host.hostKeyFingerprint(type)))
            let keygen = try Shell.run(["ssh-keygen", "-l", "-f", host.directory.file("ssh_host_\(type)_key.pub")])
            #expect(keygen.hasPrefix("\(key.bits!) \(key.fingerprint) "))
            #expect(keygen.hasSuffix("(\(key.family))\n"))
        }
    }
}
