import Foundation
import SkiffTestSupport
import Testing

/// deb822_repository, apt_repository and apt_key on a real host with its own /etc/apt, against a local
/// repository the test signs with a key of its own (no `trusted=yes`): apt-get update succeeds only when
/// the key written by the module is one apt trusts.
@Suite("apt sources and keys on a real host")
struct AptSourcesModulesTests {
    /// A flat repository (REPO/pool) with skiff-hello 1.0, its Release signed (InRelease) by a new ed25519 key.
    struct SignedRepository {
        let pool: String
        let key: String
        let fingerprint: String
        let gnupg: String
    }

    static func signedRepository(in files: ScratchDirectory) throws -> SignedRepository {
        let repo = files.file("repo")
        let gnupg = files.file("gnupg")
        try FileManager.default.createDirectory(atPath: "\(repo)/pool", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: gnupg, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try AptModuleTests.publish("1.0", in: repo)
        let gpg = ["gpg", "--homedir", gnupg, "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", ""]
        try Shell.run(gpg + ["--quick-gen-key", "Skiff test repository <repo@example.com>", "ed25519", "sign", "never"])
        let listing = try Shell.run(gpg + ["--with-colons", "--list-keys"])
        let fingerprint = try #require(listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":").last.map(String.init))
        let key = files.file("repo-key.asc")
        try Shell.run(gpg + ["--armor", "--output", key, "--export", fingerprint])
        let pool = "\(repo)/pool"
        let packages = try Shell.run(["sha256sum", "\(pool)/Packages"]).split(separator: " ").first.map(String.init) ?? ""
        let size = (try FileManager.default.attributesOfItem(atPath: "\(pool)/Packages")[.size] as? Int) ?? 0
        let date = try Shell.run(["date", "-u", "-R"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try "Date: \(date)\nSHA256:\n \(packages) \(size) Packages\n".write(toFile: "\(pool)/Release", atomically: true, encoding: .utf8)
        try Shell.run(gpg + ["--yes", "--clearsign", "--output", "\(pool)/InRelease", "\(pool)/Release"])
        return SignedRepository(pool: pool, key: key, fingerprint: fingerprint, gnupg: gnupg)
    }

    @Test func repositoriesAndKeysFromASignedLocalRepository() async throws {
        let key = try TestKeys.shared.key(.ed25519)
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.privatePackages = true
        let host = try await TestHost.launch(configuration)
        let files = try ScratchDirectory("apt-sources")
        let repository = try Self.signedRepository(in: files)
        defer { _ = try? Shell.run(["gpgconf", "--homedir", repository.gnupg, "--kill", "all"]) }
        let sources = host.directory.file("etc/apt/sources.list.d")
        for entry in try FileManager.default.contentsOfDirectory(atPath: sources) { try FileManager.default.removeItem(atPath: "\(sources)/\(entry)") }
        try? FileManager.default.removeItem(atPath: host.directory.file("etc/apt/sources.list"))
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=root\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        let run = { (tasks: String, extra: [String]) in
            let path = try files.write("playbook.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n" + tasks)
            return try await ExecCommandTests.skiff(
                ["-i", inventory, path, "--private-key", key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"] + extra,
                environment: ["NO_COLOR": "1"])
        }
        let exists = { (path: String) in FileManager.default.fileExists(atPath: host.pathInside(path)) }
        let installed = { try? String(contentsOfFile: host.pathInside("/opt/skiff-hello/version"), encoding: .utf8) }

        // deb822_repository: the key comes from a URL (file://), the file is Ansible's.
        let deb822 = { (state: String) in """
                - deb822_repository:
                    name: skiff signed
                    uris: "file:\(repository.pool)"
                    suites: ./
                    signed_by: "file://\(repository.key)"
                    state: \(state)

            """ }
        let addCheck = try await run(deb822("present"), ["--check"])
        #expect(addCheck.output.contains("ok=1     changed=1 ") && !exists("/etc/apt/sources.list.d/skiff-signed.sources")
                && !exists("/etc/apt/keyrings/skiff-signed.asc"), "\(addCheck.output)")
        let added = try await run(deb822("present"), [])
        #expect(added.status == 0 && added.output.contains("ok=1     changed=1 "), "\(added.output)")
        #expect(try String(contentsOfFile: host.pathInside("/etc/apt/sources.list.d/skiff-signed.sources"), encoding: .utf8) == """
            X-Repolib-Name: skiff signed
            Signed-By: /etc/apt/keyrings/skiff-signed.asc
            Suites: ./
            Types: deb
            URIs: file:\(repository.pool)

            """)
        #expect(try String(contentsOfFile: host.pathInside("/etc/apt/keyrings/skiff-signed.asc"), encoding: .utf8)
            == String(contentsOfFile: repository.key, encoding: .utf8))
        let again = try await run(deb822("present"), [])
        #expect(again.output.contains("ok=1     changed=0 "), "\(again.output)")
        let install = try await run("    - apt: {name: skiff-hello, update_cache: true}\n", [])
        #expect(install.status == 0 && installed() == "1.0\n", "apt trusts the repository through Signed-By: \(install.output)")
        let checkAbsent = try await run(deb822("absent"), ["--check"])
        #expect(checkAbsent.output.contains("changed=1 ") && exists("/etc/apt/sources.list.d/skiff-signed.sources"), "\(checkAbsent.output)")
        let absent = try await run(deb822("absent"), [])
        #expect(absent.output.contains("changed=1 ") && !exists("/etc/apt/sources.list.d/skiff-signed.sources") && !exists("/etc/apt/keyrings/skiff-signed.asc"))
        #expect(try await run(deb822("absent"), []).output.contains("ok=1     changed=0 "))

        // apt_repository without the key: apt-get update fails, the file is put back as it was (none).
        let line = "deb file:\(repository.pool) ./"
        let repo = "    - apt_repository: {repo: \"\(line)\", filename: skiff-signed, update_cache_retries: 1}\n"
        let untrusted = try await run(repo, [])
        #expect(untrusted.status == 2 && untrusted.output.contains("Failed to update apt cache"), "\(untrusted.output)")
        #expect(!exists("/etc/apt/sources.list.d/skiff-signed.list"))

        // apt_key: the key as its own keyring file in trusted.gpg.d; then the repository is trusted.
        let shortID = String(repository.fingerprint.suffix(16))
        let addKey = "    - apt_key: {url: \"file://\(repository.key)\"}\n"
        let keyCheck = try await run(addKey, ["--check"])
        #expect(keyCheck.output.contains("changed=1 ") && !exists("/etc/apt/trusted.gpg.d/\(shortID).gpg"), "\(keyCheck.output)")
        let keyAdded = try await run(addKey, [])
        #expect(keyAdded.status == 0 && keyAdded.output.contains("changed=1 "), "\(keyAdded.output)")
        let shown = try Shell.run(["gpg", "--with-colons", "--show-keys", host.pathInside("/etc/apt/trusted.gpg.d/\(shortID).gpg")])
        #expect(shown.contains("fpr:::::::::\(repository.fingerprint):"), "a binary keyring gpg reads: \(shown)")
        #expect(try await run(addKey, []).output.contains("ok=1     changed=0 "))
        let byID = "    - apt_key: {id: \"\(repository.fingerprint)\", url: \"file:///nonexistent\"}\n"
        #expect(try await run(byID, []).output.contains("ok=1     changed=0 "), "a key that is there is not fetched")

        let repoCheck = try await run(repo, ["--check"])
        #expect(repoCheck.output.contains("ok=1     changed=1 ") && !exists("/etc/apt/sources.list.d/skiff-signed.list"), "\(repoCheck.output)")
        let trusted = try await run(repo, ["--diff"])
        #expect(trusted.status == 0 && trusted.output.contains("changed=1 "), "\(trusted.output)")
        #expect(trusted.output.contains("+\(line)"), "--diff shows the new line: \(trusted.output)")
        #expect(try String(contentsOfFile: host.pathInside("/etc/apt/sources.list.d/skiff-signed.list"), encoding: .utf8) == line + "\n")
        #expect(try await run(repo, []).output.contains("ok=1     changed=0 "))
        let removeRepo = "    - apt_repository: {repo: \"\(line)\", state: absent, update_cache: false}\n"
        #expect(try await run(removeRepo, ["--check"]).output.contains("changed=1 ") && exists("/etc/apt/sources.list.d/skiff-signed.list"))
        #expect(try await run(removeRepo, []).output.contains("changed=1 ") && !exists("/etc/apt/sources.list.d/skiff-signed.list"))
        #expect(try await run(removeRepo, []).output.contains("ok=1     changed=0 "))

        let removeKey = "    - apt_key: {id: \"\(shortID)\", state: absent}\n"
        #expect(try await run(removeKey, ["--check"]).output.contains("changed=1 ") && exists("/etc/apt/trusted.gpg.d/\(shortID).gpg"))
        let keyRemoved = try await run(removeKey, [])
        #expect(keyRemoved.output.contains("changed=1 ") && !exists("/etc/apt/trusted.gpg.d/\(shortID).gpg"), "\(keyRemoved.output)")
        #expect(try await run(removeKey, []).output.contains("ok=1     changed=0 "))
        #expect(exists("/etc/apt/trusted.gpg"), "other keyrings are left alone")
    }
}
