import Foundation
import OrderedCollections
import SkiffCore
@testable import SkiffPlaybook
import SkiffVault
import SkiffYAML
import Testing

/// Ansible Vault files and inline `!vault` values made by ansible-vault itself (see
/// scripts/make-vault-fixtures), read as a run reads them.
@Suite("Ansible Vault")
struct VaultTests {
    static let fixtures = Bundle.module.resourcePath! + "/Fixtures/vault"
    static let registryWord = "Xq7r-9Zk4w-Tb2m-Lp05"
    static let prodWord = "Pr0d-Hk28-Vw3q-Jm71"

    static func password(_ name: String) throws -> Sensitive<[UInt8]> {
        let text = try String(contentsOfFile: "\(fixtures)/password-\(name).txt", encoding: .utf8)
        return Sensitive(Array(text.trimmingCharacters(in: "\n").utf8))
    }

    static func keyring(_ entries: [(label: String, file: String)]) throws -> VaultKeyring {
        VaultKeyring(try entries.map { VaultKeyring.Entry(label: $0.label, password: try password($0.file)) })
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: "\(fixtures)/\(name)", encoding: .utf8)
    }

    static func plaintext(_ name: String, with keyring: VaultKeyring) throws -> String {
        String(decoding: try keyring.decrypt(try text(name)), as: UTF8.self)
    }

    @Test func aVersion11FileOpensWithItsPassword() throws {
        let plain = try Self.plaintext("vault-1.1.yml", with: Self.keyring([("default", "default")]))
        #expect(plain == "registry_word: \(Self.registryWord)\nregistry_user: deployer\n")
    }

    @Test func aVersion12FileNamesItsLabelAndEveryPasswordIsTried() throws {
        let envelope = try VaultEnvelope(try Self.text("vault-1.2-prod.yml"))
        #expect(envelope.version == "1.2" && envelope.label == "prod")
        // The matching id first; a password given under another id still opens it, as in ansible-core.
        let matching = try Self.plaintext("vault-1.2-prod.yml", with: Self.keyring([("default", "wrong"), ("prod", "prod")]))
        #expect(matching.contains(Self.prodWord))
        let otherLabel = try Self.plaintext("vault-1.2-prod.yml", with: Self.keyring([("dev", "wrong"), ("default", "prod")]))
        #expect(otherLabel.contains(Self.prodWord))
    }

    @Test func aWrongPasswordIsRefusedAndNeitherPasswordNorPlaintextIsShown() throws {
        let keyring = try Self.keyring([("default", "wrong"), ("staging", "default")])
        let text = try Self.text("vault-1.2-prod.yml")
        do throws(VaultError) {
            _ = try keyring.decrypt(text)
            Issue.record("a wrong password opened the vault")
        } catch {
            #expect(error == .wrongPassword(label: "prod", tried: ["default", "staging"]))
            #expect(!error.description.contains("not-the-password") && !error.description.contains("correct-horse"))
            #expect(!error.description.contains(Self.prodWord))
        }
        #expect(throws: VaultError.noPassword(label: nil)) { _ = try VaultKeyring().decrypt(try Self.text("vault-1.1.yml")) }
    }

    @Test func aCorruptVaultIsRefused() throws {
        let keyring = try Self.keyring([("default", "default")])
        let text = try Self.text("vault-1.1.yml")
        // A changed ciphertext digit fails the HMAC; broken hex and a foreign header are malformed.
        var lines = text.split(separator: "\n").map(String.init)
        let last = lines.count - 1
        lines[last] = String(lines[last].dropLast()) + (lines[last].hasSuffix("0") ? "1" : "0")
        #expect(throws: VaultError.wrongPassword(label: nil, tried: ["default"])) { _ = try keyring.decrypt(lines.joined(separator: "\n")) }
        #expect(throws: VaultError.malformed("the body is not hexadecimal")) { _ = try keyring.decrypt(text + "zz") }
        #expect(throws: VaultError.unsupportedCipher("AES")) { _ = try keyring.decrypt(text.replacingOccurrences(of: "AES256", with: "AES")) }
        #expect(throws: VaultError.malformed("the body does not hold salt, HMAC and ciphertext")) {
            _ = try keyring.decrypt("$ANSIBLE_VAULT;1.1;AES256\n6162")
        }
    }

    /// A playbook whose vars_files are a whole vault file and a file of inline values.
    static func playbook(in directory: ScratchFiles) throws -> String {
        for name in ["vault-1.1.yml", "inline.yml"] { try directory.copy("\(fixtures)/\(name)", to: name) }
        return try directory.write("site.yml", """
            - hosts: all
              vars_files: [vault-1.1.yml, inline.yml]
              vars:
                play_word: !vault |
            \(try text("inline.yml").split(separator: "\n").drop(while: { !$0.hasPrefix("inline_prod") }).dropFirst().prefix(6).joined(separator: "\n"))
              tasks:
                - debug: msg=hi
            """)
    }

    @Test func varsFilesAndInlineValuesAreDecryptedAndRecordedAsSecrets() throws {
        let directory = try ScratchFiles()
        let path = try Self.playbook(in: directory)
        let session = VaultSession(keyring: try Self.keyring([("default", "default"), ("prod", "prod")]))
        let playbook = try VaultSession.$current.withValue(session) { try PlaybookLoader().load(path) }
        let play = try #require(playbook.plays.first)
        #expect(play.varsFromFiles["registry_word"] == .string(Self.registryWord))
        #expect(play.varsFromFiles["inline_default"] == .string("Inl-D4f7-Qs92-Wx3e"))
        #expect(play.varsFromFiles["inline_prod"] == .string("Inl-P8r2-Kc47-Zy6u"))
        #expect(play.varsFromFiles["plain_setting"] == .string("visible"))
        #expect(play.vars["play_word"] == .string("Inl-P8r2-Kc47-Zy6u"))
        #expect(Set(session.secrets).isSuperset(of: [Self.registryWord, "deployer", "Inl-D4f7-Qs92-Wx3e", "Inl-P8r2-Kc47-Zy6u"]))
        #expect(!session.secrets.contains("visible") && !session.secrets.contains("registry_word"))
        #expect(session.failures.isEmpty)
    }

    @Test func withoutTheRightPasswordEachVaultValueIsALocatedError() throws {
        let directory = try ScratchFiles()
        let path = try Self.playbook(in: directory)
        // Only the default password: the whole file opens, the two prod values do not.
        let session = VaultSession(keyring: try Self.keyring([("default", "default")]))
        _ = try? VaultSession.$current.withValue(session) { try PlaybookLoader().load(path) }
        let places = session.failures.map { "\($0.location?.file.split(separator: "/").last ?? ""):\($0.location?.line ?? 0)" }
        #expect(places == ["inline.yml:9", "site.yml:4"], "\(session.failures)")
        #expect(session.failures.allSatisfy { $0.message.contains("vault id 'prod'") })

        do {
            _ = try PlaybookLoader().load(path)
            Issue.record("a vault file was read without a password")
        } catch let error as PlaybookError {
            #expect(error.description.contains("vault-1.1.yml:1:1: vault-encrypted, but no vault password was given"), "\(error)")
        }
    }

    @Test func aTaskArgumentMayBeAnInlineVaultValue() throws {
        let directory = try ScratchFiles()
        let inline = try Self.text("inline.yml").split(separator: "\n").drop(while: { !$0.hasPrefix("inline_prod") }).dropFirst().prefix(6)
        let path = try directory.write("site.yml", """
            - hosts: all
              tasks:
                - community.docker.docker_login:
                    username: ci
                    password: !vault |
            \(inline.map { "    " + $0 }.joined(separator: "\n"))
            """)
        let session = VaultSession(keyring: try Self.keyring([("prod", "prod")]))
        let playbook = try VaultSession.$current.withValue(session) { try PlaybookLoader().load(path) }
        #expect(playbook.plays.first?.allTasks.first?.arguments["password"] == .string("Inl-P8r2-Kc47-Zy6u"))
        #expect(session.secrets == ["Inl-P8r2-Kc47-Zy6u"])

        let wrong = VaultSession(keyring: try Self.keyring([("prod", "wrong")]))
        _ = try? VaultSession.$current.withValue(wrong) { try PlaybookLoader().load(path) }
        #expect(wrong.failures.map { $0.location?.line } == [5], "\(wrong.failures)")
    }

    @Test func extraVarsFromAVaultFile() throws {
        let session = VaultSession(keyring: try Self.keyring([("prod", "prod")]))
        let extra = try VaultSession.$current.withValue(session) { try ExtraVariables.parse(["@\(Self.fixtures)/vault-1.2-prod.yml"]) }
        #expect(extra["registry_word"] == .string(Self.prodWord))
        #expect(session.secrets.contains(Self.prodWord))
    }
}

/// A temporary directory for one test, removed when the test ends.
final class ScratchFiles {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-vault-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8)
        return "\(path)/\(name)"
    }

    func copy(_ source: String, to name: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: "\(path)/\(name)")
    }
}
