import Foundation
import SkiffTestSupport
import Testing

@Suite("SIGTERM during a run")
struct StopSignalTests {
    /// Starts the playbook in the background on the fleet; its pid and the file its output goes to.
    static func start(_ playbook: String, on fleet: DeployEndToEndTests.Fleet) throws -> (pid: pid_t, outputPath: String) {
        let outputPath = fleet.files.file("output.txt")
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(output) }
        let pid = try Shell.spawn(
            [ExecCommandTests.skiff, "-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent"], stdout: output, stderr: output,
            environment: ["SKIFF_AUDIT_LOG": fleet.files.file("audit.jsonl")])
        return (pid, outputPath)
    }

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
                      shell: for i in $(seq 1200); do [ -e /tmp/release ] && break; sleep 0.05; done
                    - name: Never reached after the signal
                      shell: touch /tmp/after
                  always:
                    - name: Clean up
                      shell: touch /tmp/cleaned
            """)
        let (pid, outputPath) = try Self.start(playbook, on: fleet)
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

extension StopSignalTests {
    /// The first SIGTERM stops the commands running on the hosts (a CI system kills a cancelled job about
    /// 10 s later); `always` and cleanup still run, and the run exits 99 — never waiting for the command.
    @Test func sigtermStopsTheRunningCommandsAndCleanupStillRuns() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let playbook = try fleet.files.write("stop-running.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - block:
                    - name: A step that would run for an hour
                      shell: touch /tmp/started; sleep 3611; touch /tmp/finished
                  rescue:
                    - name: Not a rescue for an interruption
                      shell: touch /tmp/rescued
                  always:
                    - name: Clean up
                      shell: touch /tmp/cleaned
            """)
        let (pid, outputPath) = try Self.start(playbook, on: fleet)
        let hosts = fleet.hosts
        #expect(try await eventually(within: 60) { hosts.allSatisfy { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/started")) } })
        kill(pid, SIGTERM)
        // Not a speed check: a run that waited for the command would not end within the hour.
        let ended = try await eventually(within: 120) { waitpid(pid, nil, WNOHANG) == pid }
        if !ended { kill(pid, SIGKILL) }
        #expect(ended, "the run ended without waiting for the command: \((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")")
        for host in hosts {
            #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/cleaned")), "always ran")
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/finished")))
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/rescued")), "no new task (rescue) after the signal")
        }
        let left = try await offPool { (try? Shell.run(["pgrep", "-f", "sleep 3611"])) ?? "" }
        #expect(left.isEmpty, "the command was stopped on the hosts: \(left)")
    }
}
