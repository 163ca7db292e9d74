import Foundation
import SkiffTestSupport
import Testing

/// A run that dies leaves no deploy lock: the host gives the lock back when the run's SSH session ends
/// with the lock still held — after `kill -9` of the controller, or a second SIGTERM that quits at once
/// (while the first one's cleanup still runs), which also records `run_interrupted` before it goes.
@Suite("deploy lock after the controller dies")
struct LockAfterDeathTests {
    @Test(arguments: [[SIGKILL], [SIGTERM, SIGTERM]])
    func aDeadRunGivesItsLockBack(signals: [Int32]) async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let playbook = try fleet.files.write("held.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - block:
                    - shell: touch /tmp/started; for i in $(seq 1200); do [ -e /tmp/release ] && break; sleep 0.05; done
                  always:
                    - shell: sleep 30
            """)
        let (pid, outputPath) = try StopSignalTests.start(playbook, on: fleet)
        let hosts = fleet.hosts
        let started = try await eventually(within: 60) {
            hosts.allSatisfy { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/started")) }
        }
        #expect(started)
        // A live run's lock stays, watcher or not.
        try await _Concurrency.Task.sleep(for: .seconds(2))
        for host in hosts { #expect(FileManager.default.fileExists(atPath: host.pathInside("/root/.skiff/lock/info.json")), "held while the run lives") }
        for signal in signals {
            kill(pid, signal)
            usleep(300_000)
        }
        let status = try await offPool { Shell.wait(for: pid) }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        #expect(status == (signals == [SIGKILL] ? 128 + SIGKILL : 99), "\(output)")
        let released = try await eventually(within: 20) {
            hosts.allSatisfy { !FileManager.default.fileExists(atPath: $0.pathInside("/root/.skiff/lock")) }
        }
        #expect(released, "no lock is left on the hosts: \(output)")
        let audit = try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8)
        if signals.count == 2 {
            #expect(audit.contains("\"type\": \"run_interrupted\"") && audit.contains("\"quit\": true"), "\(audit)")
        }
        for host in hosts { _ = FileManager.default.createFile(atPath: host.pathInside("/tmp/release"), contents: Data()) }
    }
}
