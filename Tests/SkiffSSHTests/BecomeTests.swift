import Foundation
import SkiffTestSupport
import Testing

/// `become` through sudo on real hosts: passwordless (root to another user), and a non-root login user
/// whose sudo wants a password — with and without one.
@Suite("become")
struct BecomeTests {
    @Test func becomeRunsCommandsAndWritesFilesAsTheBecomeUser() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: Who am I
                  command: id -un
                  become: true
                  become_user: nobody
                  register: who
                - name: Written as nobody
                  copy:
                    content: "hello\\n"
                    dest: /tmp/as-nobody
                    mode: "0640"
                  become: true
                  become_user: nobody
                - block:
                    - name: The block's become reaches its tasks
                      shell: id -un > /tmp/block-user; chmod 644 /tmp/block-user
                  become: true
                  become_user: nobody
                - name: Recorded
                  shell: echo "{{ who.stdout }}" > /tmp/who
            """)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(try String(contentsOfFile: host.pathInside("/tmp/who"), encoding: .utf8) == "nobody\n")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/block-user"), encoding: .utf8) == "nobody\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: host.pathInside("/tmp/as-nobody"))
        #expect(attributes[.ownerAccountName] as? String == "nobody")
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        #expect(try String(contentsOfFile: host.pathInside("/tmp/as-nobody"), encoding: .utf8) == "hello\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/tmp")).filter { $0.contains("skiff") }
        #expect(leftovers.isEmpty, "no staged upload is left: \(leftovers)")
    }

    /// A host where `deployer` logs in and must give its password to sudo.
    struct Files {
        let files: ScratchDirectory
        let knownHosts: String
        let key: TestKey
        let playbook: String
    }

    static func passwordHost() async throws -> (TestHost, inventory: String, Files) {
        let key = try TestKeys.shared.key(.ed25519)
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.loginUser = "deployer"
        configuration.sudoPassword = "s3cret-sudo-canary"
        let host = try await TestHost.launch(configuration)
        let files = try ScratchDirectory("become")
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=deployer\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        let playbook = try files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              become: true
              tasks:
                - name: As root
                  shell: id -un > /tmp/sudo-user
                - name: A root-owned file
                  copy:
                    content: "from sudo\\n"
                    dest: /tmp/root-file
            """)
        return (host, inventory, Files(files: files, knownHosts: knownHosts, key: key, playbook: playbook))
    }

    @Test func sudoThatNeedsAPasswordFailsClearlyWithoutOneAndWorksWithIt() async throws {
        let (host, inventory, common) = try await Self.passwordHost()
        let arguments = ["-i", inventory, common.playbook, "--private-key", common.key.privateKeyPath,
                         "--known-hosts", common.knownHosts, "--no-agent", "-v"]

        let without = try await ExecCommandTests.skiff(arguments, environment: ["NO_COLOR": "1"])
        #expect(without.status == 2, "\(without.output)")
        #expect(without.output.contains("sudo on app1 needs a password to run as root"), "\(without.output)")
        #expect(without.output.contains("-K"), "says how to give it")
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/sudo-user")))

        let wrong = try await ExecCommandTests.skiff(arguments, environment: ["NO_COLOR": "1", "SKIFF_BECOME_PASSWORD": "not-it"])
        #expect(wrong.status == 2, "\(wrong.output)")
        #expect(wrong.output.contains("did not accept the become password"), "\(wrong.output)")

        let with = try await ExecCommandTests.skiff(arguments, environment: ["NO_COLOR": "1", "SKIFF_BECOME_PASSWORD": "s3cret-sudo-canary"])
        #expect(with.status == 0, "\(with.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/sudo-user"), encoding: .utf8) == "root\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: host.pathInside("/tmp/root-file"))
        #expect(attributes[.ownerAccountName] as? String == "root")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/root-file"), encoding: .utf8) == "from sudo\n")
        for output in [without.output, wrong.output, with.output] {
            #expect(!output.contains("s3cret-sudo-canary"), "the sudo password is never shown")
        }
    }
}
