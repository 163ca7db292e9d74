import Foundation
import SkiffTestSupport
import Testing

/// What hosts of a play share: run_once, delegation to another host, hostvars with facts and set_fact
/// (also in later plays), and any_errors_fatal stopping the batch.
@Suite("batch coordination")
struct BatchTests {
    @Test func runOnceDelegationAndHostvarsAcrossHostsAndPlays() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              tasks:
                - name: Only once
                  shell: echo ran >> /tmp/once; echo "{{ inventory_hostname }}"
                  run_once: true
                  register: once
                - name: Each host's own fact
                  set_fact:
                    color: "blue-{{ inventory_hostname }}"
                - name: Written on app1 for every host
                  shell: echo "{{ inventory_hostname }}" >> /tmp/delegated
                  delegate_to: app1
            - hosts: app
              gather_facts: false
              tasks:
                - name: What the others learned
                  shell: >
                    echo "{{ once.stdout }} {{ hostvars['app2'].color }} {{ hostvars['app3']['ansible_facts']['system'] }}
                    {{ hostvars['app1'].ansible_hostname | length > 0 }}" > /tmp/seen
            """, hosts: 3)
        #expect(status == 0, "\(output)")
        let ranOnce = fleet.hosts.map { host in
            (try? String(contentsOfFile: host.pathInside("/tmp/once"), encoding: .utf8)) ?? ""
        }
        #expect(ranOnce.joined() == "ran\n", "run_once ran on exactly one host: \(ranOnce)")
        let runner = fleet.hosts.firstIndex { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/once")) }!
        let delegated = try String(contentsOfFile: fleet.hosts[0].pathInside("/tmp/delegated"), encoding: .utf8)
        #expect(delegated.split(separator: "\n").sorted() == ["app1", "app2", "app3"], "every host's task ran on app1: \(delegated)")
        for (index, host) in fleet.hosts.enumerated() {
            if index > 0 { #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/delegated"))) }
            let seen = try String(contentsOfFile: host.pathInside("/tmp/seen"), encoding: .utf8)
            #expect(seen == "app\(runner + 1) blue-app2 Linux True\n", "host \(index + 1) saw: \(seen)")
        }
    }

    @Test func anyErrorsFatalStopsTheOtherHostsOfTheBatch() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              any_errors_fatal: true
              tasks:
                - name: app1 fails at once, the others are still busy
                  shell: if [ {{ inventory_hostname }} = app1 ]; then exit 1; fi; sleep 6
                - name: Never reached
                  shell: touch /tmp/after
            """, hosts: 3)
        #expect(status == 2, "\(output)")
        for host in fleet.hosts {
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/after")), "no host started the next task")
        }
    }
}

@Suite("configuration")
struct ConfigurationTests {
    @Test func ansibleCfgDefaultsAreUsedWhenTheCommandLineSaysNothing() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/configured
            """)
        try fleet.files.write("ansible.cfg", """
            [defaults]
            inventory = hosts.ini
            private_key_file = \(fleet.key.privateKeyPath)
            host_key_checking = False
            """)
        let (status, output) = try await ExecCommandTests.skiff(
            [playbook, "--no-agent"], environment: ["NO_COLOR": "1", "ANSIBLE_CONFIG": fleet.files.file("ansible.cfg")])
        #expect(status == 0, "\(output)")
        #expect(output.contains("host key checking is OFF"), "host_key_checking = False turned checking off, and said so")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/configured")))

        let strict = try await ExecCommandTests.skiff(
            [playbook, "--no-agent"],
            environment: ["NO_COLOR": "1", "ANSIBLE_CONFIG": fleet.files.file("ansible.cfg"), "SKIFF_HOST_KEY_CHECKING": "strict",
                          "SKIFF_KNOWN_HOSTS": fleet.files.write("empty_known_hosts", "")])
        #expect(strict.status == 4, "the environment wins over ansible.cfg: \(strict.output)")
    }
}

extension BatchTests {
    @Test func ignoreUnreachableKeepsTheHostInThePlay() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let lines = "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(fleet.hosts[0].port) ansible_user=root\n"
            + "down ansible_host=127.0.0.1 ansible_port=\(try TestHost.freePort()) ansible_user=root\n"
        let inventory = try fleet.files.write("hosts-down.ini", lines)
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: Maybe down
                  shell: "true"
                  ignore_unreachable: true
                - name: Still in the play
                  debug:
                    msg: "{{ inventory_hostname }} went on"
            """)
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", inventory, playbook, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["NO_COLOR": "1"])
        #expect(status == 0, "an ignored unreachable host does not fail the run: \(output)")
        #expect(output.contains("down went on"), "\(output)")
        #expect(output.contains("down                       : ok=2     changed=0   unreachable=0   failed=0   skipped=0   rescued=0   ignored=1"), "\(output)")
    }
}

extension ConfigurationTests {
    @Test func theOpenFileLimitIsRaisedForManyConnections() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let marker = fleet.files.file("limits.txt")
        let playbook = try fleet.files.write("limits.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: grep 'Max open files' /proc/$PPID/limits > \(marker)
                  delegate_to: localhost
            """)
        let command = [ExecCommandTests.skiff, "-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath,
                       "--known-hosts", fleet.knownHosts, "--no-agent"].map { "'\($0)'" }.joined(separator: " ")
        let (status, output) = try await offPool { () -> (Int32, String) in
            do {
                return (0, try Shell.run(["/bin/sh", "-c", "ulimit -Sn 256 && exec \(command)"], environment: ["SKIFF_AUDIT_LOG": ExecCommandTests.sharedAuditLog]))
            } catch let failure as Shell.Failure {
                return (failure.status, failure.output)
            }
        }
        #expect(status == 0, "\(output)")
        let words = try String(contentsOfFile: marker, encoding: .utf8).split(separator: " ").filter { !$0.isEmpty }
        #expect(words.count >= 5 && words[3] == words[4] && words[3] != "256", "soft limit raised to the hard one: \(words)")
    }
}
