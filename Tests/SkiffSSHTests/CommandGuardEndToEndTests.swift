import Foundation
import SkiffTestSupport
import Testing

/// `creates`, `removes` and `chdir` of `command`/`shell` on a real host: twice, and under `--check`.
@Suite("command guards on a real host")
struct CommandGuardEndToEndTests {
    static let playbook = """
        - hosts: app
          gather_facts: false
          tasks:
            - name: Work directory
              file: {path: /tmp/work, state: directory}
            - name: Build
              shell: echo built >> out.txt
              args: {chdir: /tmp/work, creates: out.txt}
            - name: Glob
              command: touch /tmp/work/globbed
              args: {creates: "/tmp/work/*.txt"}
              register: globbed
            - name: Clean
              command: rm /tmp/work/gone
              args: {removes: /tmp/work/gone}
              register: cleaned
            - name: Missing directory
              command: ls
              args: {chdir: /tmp/nope}
              ignore_errors: true
            - debug:
                msg: "{{ globbed.msg }} | {{ cleaned.msg }} | {{ cleaned.changed }}"
        """

    @Test func guardsMakeCommandsIdempotent() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run(Self.playbook)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(try String(contentsOfFile: host.pathInside("/tmp/work/out.txt"), encoding: .utf8) == "built\n", "relative to chdir")
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/work/globbed")), "out.txt matches the glob")
        #expect(output.contains("Did not run command since '/tmp/work/*.txt' exists | Did not run command since '/tmp/work/gone' does not exist | False"), "\(output)")
        #expect(output.contains("Unable to change directory before execution."), "\(output)")
        #expect(output.contains("app1                       : ok=6     changed=2   unreachable=0   failed=0   skipped=0   rescued=0   ignored=1"), "\(output)")

        let again = try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, fleet.files.file("playbook.yml"), "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent"], environment: ["NO_COLOR": "1"])
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: host.pathInside("/tmp/work/out.txt"), encoding: .utf8) == "built\n", "the second run builds nothing")
        #expect(again.output.contains("app1                       : ok=6     changed=0 "), "\(again.output)")
    }

    @Test func checkModeSaysWhatWouldRunAndRunsNothing() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: Guarded
                  shell: touch /tmp/guarded
                  args: {creates: /tmp/guarded}
                  register: guarded
                - name: Unguarded
                  shell: touch /tmp/unguarded
                - debug: {msg: "{{ guarded.msg }}"}
            """, extra: ["--check"])
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/guarded")))
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/unguarded")))
        #expect(output.contains("Command would have run if not in check mode"), "\(output)")
        #expect(output.contains("app1                       : ok=2     changed=1   unreachable=0   failed=0   skipped=1"), "\(output)")
    }
}
