import Foundation
import SkiffSSH
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

    /// Under the linear strategy every host of a play keeps its connection between tasks, but only the
    /// `--forks` hosts working at a time hold a thread: a 16-host run with `-f 2` peaks at about the
    /// threads of a one-host run plus two (plus Swift's pool, one thread per core, and two to spare), not
    /// plus sixteen.
    @Test func threadsFollowForksNotTheHostsInPlay() async throws {
        let fleet = try await DeployEndToEndTests.fleet(16)
        let playbook = try fleet.files.write("slow.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: sleep 0.2
                - shell: sleep 0.2
                - shell: sleep 0.2
            """)
        let one = try await Self.peakThreads(fleet, inventory: fleet.inventory, playbook: playbook, limit: "app1", forks: 1)
        let sixteen = try await Self.peakThreads(fleet, inventory: fleet.inventory, playbook: playbook, limit: "app", forks: 2)
        #expect(one.status == 0 && sixteen.status == 0 && one.peak > 0)
        let bound = one.peak + 2 + ProcessInfo.processInfo.activeProcessorCount + 2
        #expect(sixteen.peak <= bound, "one host: \(one.peak) threads, sixteen hosts with -f 2: \(sixteen.peak) (at most \(bound))")
    }

    /// Many short jobs one after another (160 connections, 8 quick tasks each, `-f 16`): a worker that just
    /// ran a job is not yet idle when the next host's job comes, and each such moment used to start one
    /// more thread (a 200-host run with `-f 20` peaked at 44–47 workers). The workers (threads named
    /// `skiff-ssh`) are bounded by `--forks` plus `SSHWorkerThreads.reserve`.
    @Test func manyShortJobsStayWithinForksPlusTheReserve() async throws {
        let fleet = try await DeployEndToEndTests.fleet(16)
        let ports = fleet.hosts.map(\.port)
        let many = try fleet.files.write("many.ini", "[app]\n" + (0..<160).map {
            "h\($0) ansible_host=127.0.0.1 ansible_port=\(ports[$0 % ports.count]) ansible_user=root\n"
        }.joined())
        let playbook = try fleet.files.write("quick.yml", """
            - hosts: app
              gather_facts: false
              tasks:
            """ + String(repeating: "\n    - command: \"true\"", count: 8) + "\n")
        let all = try await Self.peakThreads(fleet, inventory: many, playbook: playbook, limit: "app", forks: 16, named: "skiff-ssh")
        #expect(all.status == 0 && all.peak > 0, "\(all)")
        #expect(all.peak <= 16 + SSHWorkerThreads.reserve, "160 hosts with -f 16: \(all.peak) workers")
    }

    /// Runs the playbook and samples the process's threads (those `named`, or all) every 5 ms, on a thread
    /// of its own (the cooperative pool may be busy when the suite runs); returns the exit status and the
    /// most threads seen.
    static func peakThreads(_ fleet: DeployEndToEndTests.Fleet, inventory: String, playbook: String, limit: String, forks: Int,
                            named: String? = nil) async throws -> (status: Int32, peak: Int)
    {
        let pid = try Shell.spawn(
            [ExecCommandTests.skiff, "-i", inventory, playbook, "--limit", limit, "-f", String(forks), "--no-lock",
             "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["SKIFF_AUDIT_LOG": fleet.files.file("audit.jsonl"), "NO_COLOR": "1"])
        return try await offPool {
            var peak = 0
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
                    let counted = named.map { name in
                        entries.filter { (try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8)) == name + "\n" }
                    } ?? entries
                    peak = max(peak, counted.count)
                }
                usleep(5_000)
            }
            return ((status >> 8) & 0xff, peak)
        }
    }
}
