import Foundation
import SkiffTestSupport
import Testing

/// `apt` and `package` on a real host with a package state of its own, against a local repository
/// the test builds (dpkg-deb packages, a `file:` source).
@Suite("apt on a real host")
struct AptModuleTests {
    /// Builds `skiff-hello` VERSION (installs /opt/skiff-hello/version) into the repository and indexes it.
    static func publish(_ version: String, in repo: String) throws {
        let root = "\(repo)/build-\(version)"
        try FileManager.default.createDirectory(atPath: "\(root)/DEBIAN", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/opt/skiff-hello", withIntermediateDirectories: true)
        try """
            Package: skiff-hello
            Version: \(version)
            Architecture: all
            Maintainer: Skiff tests <tests@example.com>
            Description: a package Skiff's tests install

            """.write(toFile: "\(root)/DEBIAN/control", atomically: true, encoding: .utf8)
        try "\(version)\n".write(toFile: "\(root)/opt/skiff-hello/version", atomically: true, encoding: .utf8)
        try Shell.run(["dpkg-deb", "--root-owner-group", "--build", root, "\(repo)/pool/skiff-hello_\(version)_all.deb"])
        try FileManager.default.removeItem(atPath: root)
        try Shell.run(["sh", "-c", "cd '\(repo)/pool' && dpkg-scanpackages . /dev/null > Packages 2>/dev/null"])
    }

    @Test func installUpgradeAndRemoveFromALocalRepository() async throws {
        let key = try TestKeys.shared.key(.ed25519)
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.privatePackages = true
        let host = try await TestHost.launch(configuration)
        let files = try ScratchDirectory("apt")
        let repo = files.file("repo")
        try FileManager.default.createDirectory(atPath: "\(repo)/pool", withIntermediateDirectories: true)
        try Self.publish("1.0", in: repo)
        let sources = host.directory.file("etc/apt/sources.list.d")
        for entry in try FileManager.default.contentsOfDirectory(atPath: sources) { try FileManager.default.removeItem(atPath: "\(sources)/\(entry)") }
        try host.directory.write("etc/apt/sources.list.d/skiff-test.list", "deb [trusted=yes] file:\(repo)/pool ./\n")
        // The host's package lists are old: the first run must update them.
        try Shell.run(["touch", "-d", "2000-01-01", host.pathInside("/var/lib/apt/lists")])
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=root\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        let run = { (playbook: String, extra: [String]) in
            let path = try files.write("playbook.yml", playbook)
            return try await ExecCommandTests.skiff(
                ["-i", inventory, path, "--private-key", key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"] + extra,
                environment: ["NO_COLOR": "1"])
        }
        let installed = { try? String(contentsOfFile: host.pathInside("/opt/skiff-hello/version"), encoding: .utf8) }
        let install = """
            - hosts: app
              gather_facts: false
              tasks:
                - apt: {update_cache: true, cache_valid_time: 3600}
                - apt: {name: skiff-hello, install_recommends: false}
            """
        let first = try await run(install, [])
        #expect(first.status == 0, "\(first.output)")
        #expect(installed() == "1.0\n")
        #expect(first.output.contains("ok=2     changed=2 "), "\(first.output)")
        let second = try await run(install, [])
        #expect(second.output.contains("ok=2     changed=0 "), "the cache is fresh and the package there: \(second.output)")

        try Self.publish("2.0", in: repo)
        let latest = """
            - hosts: app
              gather_facts: false
              tasks:
                - apt: {update_cache: true}
                - package: {name: skiff-hello, state: latest}
            """
        let upgraded = try await run(latest, [])
        #expect(upgraded.status == 0, "\(upgraded.output)")
        #expect(installed() == "2.0\n")
        let missing = try await run("""
            - hosts: app
              gather_facts: false
              tasks:
                - apt: {name: no-such-package}
            """, [])
        #expect(missing.status == 2)
        #expect(missing.output.contains("No package matching 'no-such-package' is available"), "\(missing.output)")

        let remove = """
            - hosts: app
              gather_facts: false
              tasks:
                - apt: {name: skiff-hello, state: absent, purge: true}
            """
        let check = try await run(remove, ["--check"])
        #expect(check.output.contains("ok=1     changed=1 "), "\(check.output)")
        #expect(installed() == "2.0\n", "--check removes nothing")
        let removed = try await run(remove, [])
        #expect(removed.output.contains("ok=1     changed=1 "), "\(removed.output)")
        #expect(installed() == nil)
        let again = try await run(remove, [])
        #expect(again.output.contains("ok=1     changed=0 "), "\(again.output)")

        let fromFile = """
            - hosts: app
              gather_facts: false
              tasks:
                - apt: {deb: "\(repo)/pool/skiff-hello_1.0_all.deb"}
            """
        let debInstalled = try await run(fromFile, [])
        #expect(debInstalled.output.contains("ok=1     changed=1 "), "\(debInstalled.output)")
        #expect(installed() == "1.0\n")
        let debAgain = try await run(fromFile, [])
        #expect(debAgain.output.contains("ok=1     changed=0 "), "that version is installed: \(debAgain.output)")
    }
}
