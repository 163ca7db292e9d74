import Foundation
import SkiffCore
import SkiffSSH
import SkiffTestSupport
import Testing

/// `runInShell`: many commands through one long-lived shell on one channel, each as if it had its own.
@Suite("one shell per connection")
struct PersistentShellTests {
    @Test func eachCommandGetsItsOwnOutputStatusAndStdin() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let ok = try await connection.runInShell(RemoteCommand("echo out; echo err >&2"))
        #expect(ok.termination == .exited(0))
        #expect(ok.stdoutText == "out\n")
        #expect(ok.stderrText == "err\n")

        let three = try await connection.runInShell(RemoteCommand("printf partial; echo failing >&2; exit 3"))
        #expect(three.exitStatus == 3, "exit ends the command, not the shell")
        #expect(three.stdoutText == "partial", "output without a final newline stays as it was")
        #expect(three.stderrText == "failing\n")

        _ = try await connection.runInShell(RemoteCommand("cd /var; SHELL_STATE=leaked"))
        let fresh = try await connection.runInShell(RemoteCommand("pwd; echo \"${SHELL_STATE:-clean}\""))
        #expect(fresh.stdoutText != "/var\nleaked\n" && fresh.stdoutText.hasSuffix("clean\n"), "no state leaks between commands: \(fresh.stdoutText)")

        let bytes: [UInt8] = Array("pass'word\"$(x)\n".utf8) + [0, 1, 255, 10]
        let echoed = try await connection.runInShell(RemoteCommand("od -An -tx1 | tr -d ' \\n'", stdin: Sensitive(bytes)))
        #expect(echoed.stdoutText == bytes.map { String(format: "%02x", $0) }.joined(), "stdin arrives byte for byte")
        let noStdin = try await connection.runInShell(RemoteCommand("cat; echo done"))
        #expect(noStdin.stdoutText == "done\n", "a command without stdin reads EOF, not the shell's input")

        let big = try await connection.runInShell(RemoteCommand("head -c 4000000 /dev/zero | tr '\\0' a; head -c 100000 /dev/zero | tr '\\0' b >&2"))
        #expect(big.stdout.count == 4_000_000 && big.stderr.count == 100_000)
        #expect(big.stdout.allSatisfy { $0 == UInt8(ascii: "a") })
    }

    @Test func aTimeoutStopsTheCommandAndTheShellGoesOn() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }
        let error = await sshError { _ = try await connection.runInShell(RemoteCommand("sleep 30; touch /tmp/not-stopped", timeout: .seconds(1))) }
        #expect(error?.kind == .commandTimedOut)
        let after = try await connection.runInShell(RemoteCommand("echo still here"))
        #expect(after.stdoutText == "still here\n")
        try await Task.sleep(for: .seconds(1))
        #expect(!FileManager.default.fileExists(atPath: fixture.host.pathInside("/tmp/not-stopped")))
    }

    @Test func aCommandThatEndsTheShellFailsAndTheNextGetsANewOne() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }
        let killed = try await connection.runInShell(RemoteCommand("kill -KILL $PPID"))  // the long-lived shell
        #expect(killed.exitStatus != 0)
        let next = try await connection.runInShell(RemoteCommand("echo again"))
        #expect(next.stdoutText == "again\n")
    }

    /// A simple command (`/bin/sh -c TEXT`) is exec'd by the long-lived shell's subshell: one `sh` per
    /// command on the host, not a second one around it. It is still stopped at its timeout.
    @Test func aSimpleCommandRunsWithoutASecondShell() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }
        let parent = "/bin/sh -c " + ShellQuote.quote("tr '\\0' ' ' </proc/$PPID/cmdline")
        let simple = try await connection.runInShell(RemoteCommand(parent, isSimple: true))
        #expect(simple.stdoutText == "/bin/sh ", "its parent is the long-lived shell: \(simple.stdoutText)")
        let wrapped = try await connection.runInShell(RemoteCommand(parent))
        #expect(wrapped.stdoutText.hasPrefix("/bin/sh -c /bin/sh -c "), "otherwise a second sh runs it: \(wrapped.stdoutText)")
        let sleeper = "/bin/sh -c " + ShellQuote.quote("sleep 30; touch /tmp/not-stopped")
        let error = await sshError { _ = try await connection.runInShell(RemoteCommand(sleeper, timeout: .seconds(1), isSimple: true)) }
        #expect(error?.kind == .commandTimedOut)
        try await Task.sleep(for: .seconds(1))
        #expect(!FileManager.default.fileExists(atPath: fixture.host.pathInside("/tmp/not-stopped")))
    }

    /// A playbook's `shell` task (no environment, no chdir) runs as such a simple command.
    @Test func aShellTaskIsTheLongLivedShellsChild() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("parent.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: tr '\\0' ' ' </proc/$PPID/cmdline
                  register: parent
                - debug: var=parent.stdout
            """)
        let run = try await ExecCommandTests.skiff(
            [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent", "--no-lock"],
            environment: ["NO_COLOR": "1"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("\"parent.stdout\": \"/bin/sh \""), "\(run.output)")
    }
}
