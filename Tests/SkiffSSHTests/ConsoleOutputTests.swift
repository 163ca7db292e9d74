import Foundation
import SkiffTestSupport
import Testing

/// What people see: `-vvv` shows the commands with secrets masked, and a terminal gets a progress line.
@Suite("console output")
struct ConsoleOutputTests {
    @Test func veryVerboseShowsCommandsWithSecretsMasked() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              vars:
                api_token: tok-canary-123
              tasks:
                - name: Uses a token
                  shell: echo "{{ api_token }}" > /tmp/token
                - name: Hidden
                  shell: echo hidden-canary
                  no_log: true
            """, extra: ["-vvv"])
        #expect(status == 0, "\(output)")
        // Secrets show as their audit-log fingerprint: the same secret looks the same in every run.
        #expect(output.contains("<app1> EXEC /bin/sh -c 'echo \"hmac-sha256:"), "\(output)")
        #expect(output.contains("<app1> EXEC (command hidden: no_log)"))
        #expect(!output.contains("tok-canary-123"))
        #expect(!output.contains("hidden-canary"))
        #expect(try String(contentsOfFile: fleet.hosts[0].pathInside("/tmp/token"), encoding: .utf8) == "tok-canary-123\n", "masked only on display")
    }

    @Test func aTerminalSeesHowManyHostsFinishedTheRunningTask() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: Slow on app2
                  shell: if [ {{ inventory_hostname }} = app2 ]; then sleep 1; fi
            """)
        let command = [ExecCommandTests.skiff, "-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath,
                       "--known-hosts", fleet.knownHosts, "--no-agent"].map { "'\($0)'" }.joined(separator: " ")
        // `script` gives the command a terminal, as a person's shell would.
        let output = try await offPool {
            try Shell.run(["script", "-qfec", command, "/dev/null"], environment: ["NO_COLOR": "1", "SKIFF_AUDIT_LOG": ExecCommandTests.sharedAuditLog])
        }
        #expect(output.contains("[Slow on app2] 1/2 hosts done"), "\(output)")
        #expect(output.contains("\r\u{1B}[K"), "the progress line is erased before the next output")
        #expect(output.contains("PLAY RECAP"))
    }

    /// On a 40-column terminal a progress line with a long task name is shortened to fit (`…`), and
    /// erasing it leaves no piece of it on the screen: a line wider than the terminal would wrap, and
    /// erasing the last row would leave the first behind.
    @Test func theProgressLineFitsTheTerminalAndLeavesNothingBehind() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let task = "Wait for the slow host to finish its long and carefully named task"
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: \(task)
                  shell: if [ {{ inventory_hostname }} = app2 ]; then sleep 1; fi
                - name: \(task) again
                  shell: if [ {{ inventory_hostname }} = app1 ]; then sleep 1; fi
            """)
        let command = [ExecCommandTests.skiff, "-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath,
                       "--known-hosts", fleet.knownHosts, "--no-agent"].map { "'\($0)'" }.joined(separator: " ")
        // The terminal's own width (TIOCGWINSZ), as `stty` sets it on the pty `script` makes.
        let output = try await offPool {
            try Shell.run(["script", "-qfec", "stty cols 40; " + command, "/dev/null"],
                          environment: ["NO_COLOR": "1", "SKIFF_AUDIT_LOG": ExecCommandTests.sharedAuditLog])
        }
        #expect(output.contains("…] 1/2 hosts done"), "the progress line was shown, shortened: \(output)")
        let pieces = output.unicodeScalars.split { $0 == "\r" || $0 == "\n" }.map { String(String.UnicodeScalarView($0)) }
        for piece in pieces where piece.contains("hosts done") {
            let shown = piece.replacingOccurrences(of: "\u{1B}[K", with: "")
            #expect(shown.count < 40, "at most 39 columns: '\(shown)'")
        }
        let screen = TerminalScreen(width: 40, transcript: output)
        let leftovers = screen.lines.filter { $0.hasPrefix("  [") || $0.contains("hosts done") }
        #expect(leftovers.isEmpty, "nothing of the progress line stays on the screen: \(leftovers)\n\(screen.lines.joined(separator: "\n"))")
        #expect(screen.lines.contains { $0.hasPrefix("app1") && $0.contains("ok=2") }, "\(screen.lines.joined(separator: "\n"))")

        // A terminal that does not say its size (a pty of 0 columns): $COLUMNS says it.
        let narrow = try await offPool {
            try Shell.run(["script", "-qfec", "stty cols 0 rows 0; " + command, "/dev/null"],
                          environment: ["NO_COLOR": "1", "COLUMNS": "30", "SKIFF_AUDIT_LOG": ExecCommandTests.sharedAuditLog])
        }
        let shown = narrow.unicodeScalars.split { $0 == "\r" || $0 == "\n" }.map { String(String.UnicodeScalarView($0)) }
            .filter { $0.contains("hosts done") }.map { $0.replacingOccurrences(of: "\u{1B}[K", with: "") }
        #expect(!shown.isEmpty && shown.allSatisfy { $0.count < 30 }, "\(shown)")
    }

    @Test func stepAsksOncePerTaskForAllHosts() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let playbook = try fleet.files.write("step.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: One
                  shell: echo 1 >> /tmp/steps
                - name: Two
                  shell: echo 2 >> /tmp/steps
                - name: Three
                  shell: echo 3 >> /tmp/steps
                - name: Four
                  shell: echo 4 >> /tmp/steps
            """)
        let command = [ExecCommandTests.skiff, "-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath,
                       "--known-hosts", fleet.knownHosts, "--no-agent", "--step"].map { "'\($0)'" }.joined(separator: " ")
        // The answers are typed ahead into the terminal `script` gives the run: yes, no, continue.
        let output = try await offPool {
            try Shell.run(["script", "-qfec", command, "/dev/null"], stdin: "y\nn\nc\n",
                          environment: ["NO_COLOR": "1", "SKIFF_AUDIT_LOG": ExecCommandTests.sharedAuditLog])
        }
        #expect(output.components(separatedBy: "Perform task:").count - 1 == 3, "asked for One, Two and Three only: \(output)")
        #expect(output.contains("Perform task: Two (N)o/(y)es/(c)ontinue:"))
        for host in fleet.hosts {
            #expect(try String(contentsOfFile: host.pathInside("/tmp/steps"), encoding: .utf8) == "1\n3\n4\n", "Two was skipped on every host: \(output)")
        }

        let (status, refused) = try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent", "--step"])
        #expect(status == 5 && refused.contains("--step asks before each task and needs a terminal"), "without a terminal: \(refused)")
    }
}
