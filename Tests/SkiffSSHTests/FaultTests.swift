import Foundation
import SkiffCore
import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("unreachable, silent and dying hosts")
struct FaultTests {
    @Test func connectionRefusedFailsAtOnce() async throws {
        let port = try TestHost.freePort()
        let target = SSHTarget(name: "closed", address: "127.0.0.1", port: port, user: "root")
        let started = ContinuousClock.now
        let error = await sshError {
            _ = try await SSHConnection.connect(to: target, options: SSHOptions(connectTimeout: .seconds(300), knownHostsFiles: []), credentials: SSHCredentials())
        }
        #expect(error?.kind == .unreachable)
        #expect(error?.message.contains("refused") == true, "reported as refused, not as a timeout: \(error?.message ?? "")")
        #expect(error?.host.contains("closed") == true)
        // Far below the 300 s connect timeout, also when the whole suite loads the machine.
        #expect(ContinuousClock.now - started < .seconds(120), "refused is reported before the connect timeout")
    }

    @Test func aPortThatNeverSpeaksSSHFailsWhenTheTimeoutExpires() async throws {
        let silent = try SilentListener()
        let target = SSHTarget(name: "silent", address: "127.0.0.1", port: silent.port, user: "root")
        let timeout = Duration.milliseconds(800)
        let started = ContinuousClock.now
        let error = await sshError {
            _ = try await SSHConnection.connect(to: target, options: SSHOptions(connectTimeout: timeout, knownHostsFiles: []), credentials: SSHCredentials())
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.kind == .unreachable)
        #expect(error?.message.contains("timed out") == true, "message: \(error?.message ?? "")")
        #expect(elapsed >= timeout, "it waited for the timeout")
        #expect(elapsed < timeout + .seconds(30), "and not much longer (the bound is loose: tests share the machine)")
    }

    @Test func aHostThatGoesSilentMidCommandIsDetectedByKeepalive() async throws {
        let fixture = try await SSHFixture.start()
        var options = fixture.options()
        options.keepaliveInterval = .milliseconds(500)
        options.keepaliveMaxMissed = 3
        let connection = try await fixture.connect(options)

        let running = Task { try await connection.run("sleep 60") }
        try await Task.sleep(for: .milliseconds(700))
        fixture.host.signalAll(SIGSTOP)
        defer { fixture.host.signalAll(SIGCONT) }
        let stopped = ContinuousClock.now
        let error = await sshError { _ = try await running.value }
        #expect(error?.kind == .connectionLost, "got \(String(describing: error))")
        #expect(error?.isUnreachable == true)
        #expect(error?.message.contains("keepalives") == true, "message: \(error?.message ?? "")")
        #expect(ContinuousClock.now - stopped < .seconds(30), "detected by keepalive long before the command would end")
    }

    @Test func aKilledSSHDMidCommandIsReportedAsConnectionLost() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        let running = Task { try await connection.run("sleep 60") }
        try await Task.sleep(for: .milliseconds(500))
        fixture.host.stop()
        let error = await sshError { _ = try await running.value }
        #expect(error?.kind == .connectionLost, "got \(String(describing: error))")

        let after = await sshError { _ = try await connection.run("true") }
        #expect(after?.kind == .connectionLost, "a lost connection stays lost")
    }

    @Test func fiftyHostsConnectAndRunConcurrently() async throws {
        let key = try TestKeys.shared.key(.ed25519)
        let files = try ScratchDirectory("fifty")
        var edOnly = TestHost.Configuration(authorizedKeys: [key.publicKey])
        edOnly.hostKeyTypes = ["ed25519"]
        let configuration = edOnly
        let hosts = try await withThrowingTaskGroup(of: TestHost.self) { group in
            for _ in 0..<50 { group.addTask { try await TestHost.launch(configuration) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let knownHosts = try files.write("known_hosts", try hosts.map { try $0.knownHostsLine() }.joined(separator: "\n") + "\n")
        let credentials = SSHCredentials(keyFiles: [try PrivateKeyFile(path: key.privateKeyPath)])
        let options = SSHOptions(knownHostsFiles: [knownHosts])

        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, host) in hosts.enumerated() {
                group.addTask {
                    let target = SSHTarget(name: "host\(index)", address: host.address, port: host.port, user: "root")
                    let connection = try await SSHConnection.connect(to: target, options: options, credentials: credentials)
                    let result = try await connection.run("echo host\(index); sleep 0.2")
                    await connection.close()
                    return (index, result.stdoutText)
                }
            }
            var collected: [Int: String] = [:]
            for try await (index, output) in group { collected[index] = output }
            return collected
        }
        #expect(outputs.count == 50)
        for index in 0..<50 { #expect(outputs[index] == "host\(index)\n") }
    }
}

/// A TCP port that accepts connections (the kernel completes the handshake) and never sends a byte.
final class SilentListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0, listen(fd, 16) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard status == 0 else { throw Shell.Failure(command: ["listen"], status: errno, output: "cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
