import Foundation
import SkiffTestSupport
import Testing

@Suite("SIGTERM during a run")
struct StopSignalTests {
    @Test func sigtermStopsNewTasksRunsAlwaysAndExits99() async throws {
        let fleet = try await DeployEndToEndTests.fleet(10)
        let playbook = try fleet.files.write("stop.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - block:
                    - name: Mark started
                      shell: touch /tmp/started
                    - name: Long step, held until the test lets it end
                      shell: while [ ! -e /tmp/release ]; do sleep 0.05; done
                    - name: Never reached after the signal
                      shell: touch /tmp/after
                  always:
                    - name: Clean up
                      shell: touch /tmp/cleaned
            """)
        let outputPath = fleet.files.file("output.txt")
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let pid = try Shell.spawn(
            [ExecCommandTests.skiff, "-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent"], stdout: output, stderr: output,
            environment: ["SKIFF_AUDIT_LOG": fleet.files.file("audit.jsonl")])
        close(output)
        let hosts = fleet.hosts
        let allStarted = try await eventually(within: 60) {
            hosts.allSatisfy { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/started")) }
        }
        #expect(allStarted, "every host started before the signal")
        kill(pid, SIGTERM)
        // The long step ends only once the controller has taken the signal, so no host can reach the
        // next task before it, however slowly the hosts started.
        let signalTaken = try await eventually(within: 60) {
            ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").contains("no new task will start")
        }
        #expect(signalTaken, "the controller says it is stopping")
        for host in hosts { _ = FileManager.default.createFile(atPath: host.pathInside("/tmp/release"), contents: Data()) }
        let status = try await offPool { Shell.wait(for: pid) }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        #expect(status == 99, "output: \(text)")
        for host in fleet.hosts {
            #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/cleaned")), "always ran on every host that started")
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/after")), "no new task started after the signal")
        }
        #expect(text.contains("interrupted"))
        let audit = try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8)
        #expect(audit.contains("\"type\": \"run_interrupted\""), "the audit log says the run was interrupted")
        #expect(audit.contains("\"exit_code\": 99"))
        #expect(audit.components(separatedBy: "\"type\": \"lock_released\"").count == fleet.hosts.count + 1, "every host's lock was released")
    }
}
