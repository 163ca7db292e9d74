import Foundation
import SkiffTestSupport
import Testing

/// ProxyJump end to end: target hosts whose sshd listens on the loopback of a network namespace, which
/// only the bastion (in that namespace, reachable from here on its veth address) can reach.
@Suite("ProxyJump through a bastion", .serialized)
struct ProxyJumpTests {
    struct Site {
        let network: NetworkNamespace
        let bastion: TestHost
        let targets: [TestHost]
        let files: ScratchDirectory
        let key: TestKey
    }

    static func site(targets count: Int) async throws -> Site {
        let key = try TestKeys.shared.key(.ed25519)
        let network = try await offPool { try NetworkNamespace() }
        var bastionConfig = TestHost.Configuration(authorizedKeys: [key.publicKey])
        bastionConfig.networkNamespace = network.name
        bastionConfig.listenAddress = network.innerAddress
        let bastion = try await TestHost.launch(bastionConfig)
        var targetConfig = TestHost.Configuration(authorizedKeys: [key.publicKey])
        targetConfig.networkNamespace = network.name
        var targets: [TestHost] = []
        for _ in 0..<count { targets.append(try await TestHost.launch(targetConfig)) }
        return Site(network: network, bastion: bastion, targets: targets, files: try ScratchDirectory("jump"), key: key)
    }

    static func playbook(_ site: Site, upload: String? = nil) throws -> String {
        try site.files.write("site.yml", """
            - hosts: all
              gather_facts: false
              tasks:
                - shell: echo "{{ inventory_hostname }}" > /tmp/reached
            """ + (upload.map { "\n    - copy:\n        src: \($0)\n        dest: /tmp/big\n" } ?? ""))
    }

    @Test func aPlaybookRunsThroughOneSharedBastionConnection() async throws {
        let site = try await Self.site(targets: 2)
        defer { site.network.delete() }
        let (bastion, first, second) = (site.bastion, site.targets[0], site.targets[1])
        let config = try site.files.write("ssh_config", """
            Host jump
              HostName \(bastion.address)
              Port \(bastion.port)
              User root
            """)
        let inventory = try site.files.write("hosts.ini", """
            t1 ansible_host=127.0.0.1 ansible_port=\(first.port) ansible_user=root ansible_ssh_common_args='-F \(config) -J jump'
            t2 ansible_host=127.0.0.1 ansible_port=\(second.port) ansible_user=root ansible_ssh_common_args='-o ProxyJump=root@\(bastion.address):\(bastion.port)'
            """ + "\n")
        let knownHosts = try site.files.write(
            "known_hosts", [try bastion.knownHostsLine(), try first.knownHostsLine(), try second.knownHostsLine()].joined(separator: "\n") + "\n")
        // Megabytes through the tunnels at once (SFTP, channel windows filling up on both hops).
        let big = site.files.file("big.bin")
        _ = FileManager.default.createFile(atPath: big, contents: Data((0..<6_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }))
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", inventory, try Self.playbook(site, upload: big), "--private-key", site.key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"],
            environment: ["NO_COLOR": "1"])
        #expect(status == 0, "\(output)\n\(first.log)\n\(second.log)")
        #expect((try? String(contentsOfFile: first.pathInside("/tmp/reached"), encoding: .utf8)) == "t1\n")
        #expect((try? String(contentsOfFile: second.pathInside("/tmp/reached"), encoding: .utf8)) == "t2\n")
        for target in [first, second] {
            #expect(FileManager.default.contents(atPath: target.pathInside("/tmp/big")) == FileManager.default.contents(atPath: big))
        }
        let logins = bastion.log.components(separatedBy: "Accepted publickey").count - 1
        #expect(logins == 1, "one bastion session carries both hosts: \(bastion.log)")

        let direct = try await ExecCommandTests.skiff(
            ["exec", "--no-agent", "--private-key", site.key.privateKeyPath, "--known-hosts", knownHosts,
             "root@127.0.0.1:\(first.port)", "-a", "true"])
        #expect(direct.status == 4, "the target is not reachable without the bastion: \(direct.output)")
    }

    @Test func severalHopsAreCrossedInOrder() async throws {
        let site = try await Self.site(targets: 2)
        defer { site.network.delete() }
        // The second target's sshd serves as the inner hop: reachable only from the bastion.
        let (bastion, inner, target) = (site.bastion, site.targets[1], site.targets[0])
        let hops = "root@\(bastion.address):\(bastion.port),root@127.0.0.1:\(inner.port)"
        let inventory = try site.files.write("hosts.ini", """
            t1 ansible_host=127.0.0.1 ansible_port=\(target.port) ansible_user=root ansible_ssh_extra_args='-J \(hops)'
            """ + "\n")
        let knownHosts = try site.files.write(
            "known_hosts", [try bastion.knownHostsLine(), try inner.knownHostsLine(), try target.knownHostsLine()].joined(separator: "\n") + "\n")
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", inventory, try Self.playbook(site), "--private-key", site.key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"],
            environment: ["NO_COLOR": "1"])
        #expect(status == 0, "\(output)")
        #expect((try? String(contentsOfFile: target.pathInside("/tmp/reached"), encoding: .utf8)) == "t1\n")
        #expect(bastion.log.contains("Accepted publickey"), "the outer hop was crossed")
        #expect(inner.log.contains("Accepted publickey"), "the inner hop was crossed")
    }

    @Test func anUnknownBastionKeyIsRefused() async throws {
        let site = try await Self.site(targets: 1)
        defer { site.network.delete() }
        let (bastion, target) = (site.bastion, site.targets[0])
        let inventory = try site.files.write("hosts.ini", """
            t1 ansible_host=127.0.0.1 ansible_port=\(target.port) ansible_user=root ansible_ssh_common_args='-J root@\(bastion.address):\(bastion.port)'
            """ + "\n")
        let knownHosts = try site.files.write("known_hosts", try target.knownHostsLine() + "\n")
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", inventory, try Self.playbook(site), "--private-key", site.key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"],
            environment: ["NO_COLOR": "1"])
        #expect(status == 4, "\(output)")
        #expect(output.contains("jump host"), "\(output)")
        #expect(output.contains("unknown host key"), "\(output)")
        #expect(!bastion.log.contains("Accepted publickey"), "no key was offered to an unverified bastion")
        #expect(!target.log.contains("Accepted"), "\(target.log)")
    }

    @Test func anUnsupportedSSHOptionIsRefusedNamingTheHostAndVariable() async throws {
        let files = try ScratchDirectory("jump")
        let inventory = try files.write("hosts.ini", "t1 ansible_host=127.0.0.1 ansible_ssh_common_args='-o ForwardAgent=yes'\n")
        let playbook = try files.write("site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: 'true'\n")
        let (status, output) = try await ExecCommandTests.skiff(["-i", inventory, playbook, "--no-agent"], environment: ["NO_COLOR": "1"])
        #expect(status != 0)
        #expect(output.contains("host 't1': ansible_ssh_common_args '-o ForwardAgent=yes': Skiff does not support the SSH option -o ForwardAgent=yes"), "\(output)")
    }
}
