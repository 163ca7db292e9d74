import Foundation
import SkiffTestSupport
import Testing

/// `user` and `group` with the host's real useradd/usermod/userdel/groupadd, on an /etc of the host's own.
@Suite("account modules on a real host")
struct AccountModulesTests {
    static func host() async throws -> DeployEndToEndTests.Fleet {
        let key = try TestKeys.shared.key(.ed25519)
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.privateAccounts = true
        let host = try await TestHost.launch(configuration)
        let files = try ScratchDirectory("accounts")
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=root\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        return DeployEndToEndTests.Fleet(hosts: [host], files: files, inventory: inventory, knownHosts: knownHosts, key: key)
    }

    static func run(_ fleet: DeployEndToEndTests.Fleet, _ playbook: String, extra: [String] = []) async throws -> (status: Int32, output: String) {
        let path = try fleet.files.write("playbook.yml", playbook)
        return try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, path, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"] + extra,
            environment: ["NO_COLOR": "1"])
    }

    static func etc(_ fleet: DeployEndToEndTests.Fleet, _ file: String) throws -> [String] {
        try String(contentsOfFile: fleet.hosts[0].directory.file("etc/\(file)"), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static let create = """
        - hosts: app
          gather_facts: false
          tasks:
            - group: {name: deployers, gid: 4500}
            - group: {name: dockerish, system: true}
            - name: Deploy user
              user:
                name: deploy
                uid: 4501
                group: deployers
                groups: [dockerish]
                append: true
                shell: /bin/bash
                home: /home/deploy
                password: "{{ hash }}"
              register: deploy
            - debug: {msg: "{{ deploy.uid }} {{ deploy.group }} {{ deploy.home }} {{ deploy.shell }} {{ deploy.groups }}"}
              when: not ansible_check_mode
        """

    @Test func createChangeAndRemoveAnAccountIdempotently() async throws {
        let fleet = try await Self.host()
        let hash = try Shell.run(["openssl", "passwd", "-6", "-salt", "saltsalt", "s3cret"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let extra = ["-e", "hash=\(hash)"]

        let check = try await Self.run(fleet, Self.create, extra: extra + ["--check"])
        #expect(check.status == 0, "\(check.output)")
        #expect(try !Self.etc(fleet, "passwd").contains { $0.hasPrefix("deploy:") }, "--check creates nothing")
        #expect(check.output.contains("changed=3"), "\(check.output)")

        let first = try await Self.run(fleet, Self.create, extra: extra + ["-vvv"])
        #expect(first.status == 0, "\(first.output)")
        #expect(try Self.etc(fleet, "passwd").contains("deploy:x:4501:4500::/home/deploy:/bin/bash"))
        #expect(try Self.etc(fleet, "group").contains("deployers:x:4500:"))
        #expect(try Self.etc(fleet, "group").contains { $0.hasPrefix("dockerish:x:") && $0.hasSuffix(":deploy") })
        #expect(try Self.etc(fleet, "shadow").contains { $0.hasPrefix("deploy:\(hash):") }, "the hash is set")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/home/deploy")), "create_home")
        #expect(first.output.contains("\"msg\": \"4501 4500 /home/deploy /bin/bash dockerish\""), "\(first.output)")
        #expect(!first.output.contains(hash) && !first.output.contains("saltsalt"), "the hash is never shown, even with -vvv")
        #expect(first.output.contains("changed=3"), "\(first.output)")

        let second = try await Self.run(fleet, Self.create, extra: extra)
        #expect(second.output.contains("ok=4     changed=0 "), "\(second.output)")

        // A changed shell and password, and groups without append: only those change.
        let changed = try await Self.run(fleet, """
            - hosts: app
              gather_facts: false
              tasks:
                - user: {name: deploy, shell: /bin/sh, groups: [], password: "{{ hash }}"}
            """, extra: ["-e", "hash=$6$other$xyz"])
        #expect(changed.output.contains("ok=1     changed=1 "), "\(changed.output)")
        #expect(try Self.etc(fleet, "passwd").contains("deploy:x:4501:4500::/home/deploy:/bin/sh"))
        #expect(try Self.etc(fleet, "shadow").contains { $0.hasPrefix("deploy:$6$other$xyz:") })
        #expect(try Self.etc(fleet, "group").contains { $0.hasPrefix("dockerish:x:") && !$0.contains("deploy") })

        let remove = """
            - hosts: app
              gather_facts: false
              tasks:
                - user: {name: deploy, state: absent, remove: true}
                - group: {name: deployers, state: absent}
            """
        let removed = try await Self.run(fleet, remove)
        #expect(removed.output.contains("ok=2     changed=2 "), "\(removed.output)")
        #expect(try !Self.etc(fleet, "passwd").contains { $0.hasPrefix("deploy:") })
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/home/deploy")), "remove: the home goes too")
        let again = try await Self.run(fleet, remove)
        #expect(again.output.contains("ok=2     changed=0 "), "\(again.output)")
    }

    @Test func aMissingGroupFailsTheTask() async throws {
        let fleet = try await Self.host()
        let (status, output) = try await Self.run(fleet, """
            - hosts: app
              gather_facts: false
              tasks:
                - user: {name: deploy, groups: [nosuchgroup]}
            """)
        #expect(status == 2)
        #expect(output.contains("Group nosuchgroup does not exist"), "\(output)")
        #expect(try !Self.etc(fleet, "passwd").contains { $0.hasPrefix("deploy:") })
    }
}
