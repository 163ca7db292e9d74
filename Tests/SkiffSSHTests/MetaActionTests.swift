import Foundation
import SkiffTestSupport
import Testing

/// `meta:` tasks, compared with ansible-playbook 2.19.14 on the same playbook (local connection, hosts h1
/// and h2): the handler ran on both hosts at the flush, before `after-flush`; only h1 printed `only-h1`;
/// both ran the second play; `never` was not printed; recap h1 ok=5 changed=1, h2 ok=4 changed=1; exit 0.
@Suite("meta actions")
struct MetaActionTests {
    @Test func flushHandlersEndHostAndEndPlayAsAnsiblePlaybookRunsThem() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - command: "true"
                  notify: hello
                - meta: flush_handlers
                - shell: echo after-flush >> /tmp/order
                - meta: end_host
                  when: inventory_hostname == 'app2'
                - shell: echo only-on-app1 >> /tmp/order
              handlers:
                - name: hello
                  shell: echo handler >> /tmp/order
            - hosts: app
              gather_facts: false
              tasks:
                - shell: echo second-play >> /tmp/order
                - meta: end_play
                - shell: echo never >> /tmp/order
            """, hosts: 2)
        #expect(status == 0, "\(output)")
        #expect(AnsibleFidelityRunnerTests.contents(fleet.hosts[0], "/tmp/order") == "handler\nafter-flush\nonly-on-app1\nsecond-play\n", "\(output)")
        #expect(AnsibleFidelityRunnerTests.contents(fleet.hosts[1], "/tmp/order") == "handler\nafter-flush\nsecond-play\n", "\(output)")
        #expect(output.contains("app1                       : ok=5     changed=5"), "\(output)")
        #expect(output.contains("app2                       : ok=4     changed=4"), "\(output)")
    }

    /// `end_play` ends the later batches of a `serial` play too; `end_batch` only the current one.
    @Test(arguments: ["end_play", "end_batch"])
    func endPlayStopsLaterBatchesAndEndBatchDoesNot(action: String) async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              serial: 1
              tasks:
                - shell: touch /tmp/ran
                - meta: \(action)
                - shell: touch /tmp/after
            """, hosts: 2)
        #expect(status == 0, "\(output)")
        let ran = fleet.hosts.map { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/ran")) }
        #expect(ran == (action == "end_play" ? [true, false] : [true, true]), "\(output)")
        #expect(!fleet.hosts.contains { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/after")) }, "\(output)")
    }

    /// `reset_connection` opens a new SSH session (the commands after it have another sshd parent), and the
    /// deploy lock goes with it: still held after the old session ended, released at the end of the run.
    @Test func resetConnectionOpensANewSessionAndKeepsTheLock() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - shell: echo $PPID > /tmp/before
                - meta: reset_connection
                - shell: sleep 3; echo $PPID > /tmp/after; test -e /root/.skiff/lock/info.json && touch /tmp/lock-held
                - meta: clear_facts
            """)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        let before = AnsibleFidelityRunnerTests.contents(host, "/tmp/before")
        let after = AnsibleFidelityRunnerTests.contents(host, "/tmp/after")
        #expect(before != nil && after != nil && before != after, "another session: \(String(describing: before)) \(String(describing: after))")
        #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/lock-held")), "the lock outlived the old session: \(output)")
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/root/.skiff/lock")), "released at the end")
    }

    /// Refused when the playbook is loaded (exit 5, file:line:column), before the task before it runs.
    @Test func anUnknownMetaActionIsRefusedBeforeAnyHost() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/ran
                - meta: flush_everything
            """)
        #expect(status == 5 && output.contains("playbook.yml:5:13: unknown meta action 'flush_everything'"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/ran")), "no host was contacted")
    }
}
