import Foundation
import SkiffTestSupport
import Testing

/// A host's connection closes as soon as the host has no play left in the run (its last play done, or
/// dropped after failing), so a long run holds connections only for the hosts still in play.
@Suite("connections close when a host's last play is done")
struct ConnectionLifetimeTests {
    @Test func hostsWithNoPlayLeftAreDisconnectedBeforeTheNextPlay() async throws {
        let fleet = try await DeployEndToEndTests.fleet(3)
        let ports = fleet.hosts.map(\.port)
        // Established TCP connections from anyone (the controller) to app1's and app2's sshd.
        let count = { (port: Int) in "$(ss -Htn state established '( dport = :\(port) )' | wc -l)" }
        let (status, output, _) = try await RunnerFeatureTests.run("""
            - name: First
              hosts: app
              gather_facts: false
              tasks:
                - shell: "true"
                - fail: {msg: app1 fails here}
                  when: inventory_hostname == 'app1'
            - name: Second
              hosts: app3
              gather_facts: false
              tasks:
                - shell: echo "\(count(ports[0])) \(count(ports[1])) \(count(ports[2]))" > /tmp/connections
            """, in: fleet)
        #expect(status == 2, "app1 failed: \(output)")
        let counts = AnsibleFidelityRunnerTests.contents(fleet.hosts[2], "/tmp/connections")?.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        // app1 (failed, dropped) and app2 (no later play) are disconnected; app3 is connected while it runs.
        #expect(counts?.count == 3 && counts?[0] == 0 && counts?[1] == 0 && (counts?[2] ?? 0) >= 1, "\(String(describing: counts)): \(output)")
        #expect(output.contains("app2") && output.contains("ok=1"), "\(output)")
    }
}
