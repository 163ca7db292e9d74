import Foundation
import SkiffCore
import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("exec over a real sshd")
struct ExecTests {
    @Test func returnsStdoutStderrAndExitStatus() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let ok = try await connection.run("echo out; echo err >&2")
        #expect(ok.termination == .exited(0))
        #expect(ok.stdoutText == "out\n")
        #expect(ok.stderrText == "err\n")

        let three = try await connection.run("echo failing >&2; exit 3")
        #expect(three.exitStatus == 3)
        #expect(three.stderrText == "failing\n")
        #expect(three.stdout.isEmpty)

        let killed = try await connection.run("kill -KILL $$")
        #expect(killed.termination == .signaled("KILL"))
        #expect(killed.exitStatus == nil)
    }

    @Test func stdinReachesTheCommandFollowedByEOF() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let secret = Array("s3cr3t\nsecond line".utf8)
        let result = try await connection.run(RemoteCommand("cat; echo '<eof>'", stdin: Sensitive(secret)))
        #expect(result.stdoutText == "s3cr3t\nsecond line<eof>\n")

        let noInput = try await connection.run(RemoteCommand("wc -c", timeout: .seconds(10)))
        #expect(noInput.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func nonASCIICommandLineRunsIntact() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let text = "déploiement ✓ 版本 🚢"
        let result = try await connection.run("printf '%s' \(ShellQuote.quote(text))")
        #expect(result.stdoutText == text)
        #expect(result.stdout == Array(text.utf8))
    }

    @Test func sixteenMebibytesOnBothStreamsAtOnceComplete() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let size = 16 * 1024 * 1024
        let result = try await connection.run(
            RemoteCommand(
                "head -c \(size) /dev/zero | tr '\\0' o & head -c \(size) /dev/zero | tr '\\0' e >&2; wait",
                timeout: .seconds(120)))
        #expect(result.succeeded)
        #expect(result.stdout.count == size)
        #expect(result.stderr.count == size)
        #expect(result.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
        #expect(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
    }

    @Test func outputIsStreamedAsItArrives() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let seen = Collected()
        let result = try await connection.run(RemoteCommand("echo one; sleep 0.3; echo two >&2; echo three")) {
            stream, bytes in seen.append(stream, Array(bytes))
        }
        #expect(seen.text(.stdout) == result.stdoutText)
        #expect(seen.text(.stderr) == "two\n")
        #expect(seen.chunkCount(.stdout) >= 2, "the first line arrived before the command finished")
    }

    @Test func aCommandOverItsTimeoutIsStoppedAndReported() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let started = ContinuousClock.now
        let error = await sshError {
            _ = try await connection.run(RemoteCommand("sleep 47.5", timeout: .milliseconds(500)))
        }
        #expect(error?.kind == .commandTimedOut)
        #expect(error?.message.contains("timed out") == true)
        #expect(ContinuousClock.now - started < .seconds(40), "stopped long before the command would end")

        // The command was stopped on the host, and the connection still works.
        let leftover = try await connection.run("ps -eo args | grep -c '^sleep 47.5' || true")
        #expect(leftover.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func cancellingTheCallingTaskStopsTheCommand() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let running = Task { try await connection.run("sleep 48.5") }
        try await Task.sleep(for: .milliseconds(300))
        running.cancel()
        let error = await sshError { _ = try await running.value }
        #expect(error?.kind == .cancelled)

        let leftover = try await connection.run("ps -eo args | grep -c '^sleep 48.5' || true")
        #expect(leftover.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let after = try await connection.run("echo still here")
        #expect(after.stdoutText == "still here\n")
    }

    @Test func oneConnectionServesManyCommandsInOrder() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        for index in 0..<20 {
            let result = try await connection.run("echo \(index)")
            #expect(result.stdoutText == "\(index)\n")
        }
        #expect(fixture.host.log.components(separatedBy: "Accepted publickey").count - 1 == 1)
    }
}

/// Output chunks collected from the streaming callback.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [(OutputChannel, [UInt8])] = []

    func append(_ stream: OutputChannel, _ bytes: [UInt8]) {
        lock.withLock { chunks.append((stream, bytes)) }
    }

    func text(_ stream: OutputChannel) -> String {
        lock.withLock { String(decoding: chunks.filter { $0.0 == stream }.flatMap(\.1), as: UTF8.self) }
    }

    func chunkCount(_ stream: OutputChannel) -> Int {
        lock.withLock { chunks.filter { $0.0 == stream }.count }
    }
}
