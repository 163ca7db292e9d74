import Foundation
import SkiffCore
import SkiffModules
import Synchronization

/// Runs steps on the controller itself: for `delegate_to: localhost`, `local_action` and hosts with
/// `ansible_connection=local`. Commands run through `/bin/sh -c`, as over SSH; uploads are written to a
/// temporary name and renamed into place. A command over its timeout is stopped (TERM, then KILL).
public struct LocalConnection: HostConnection {
    public init() {}

    public func run(_ step: RemoteStep, timeout: Duration?) async throws -> CommandResult {
        let started = ContinuousClock.now
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let wire = step.wire
        process.arguments = ["-c", wire.commandLine]
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        // A command over its timeout is stopped as over SSH: TERM, then KILL if it is still there. The
        // shell leads its own process group (Process starts it so), and the whole group is signalled:
        // `sleep` in `sh -c 'sleep 60; …'` would otherwise keep the output pipes open.
        let pid = process.processIdentifier
        let state = Watchdog()
        let watchdog = timeout.map { limit in
            Task.detached {
                try await Task.sleep(for: limit)
                guard state.stop(pid, SIGTERM) else { return }
                try await Task.sleep(for: .seconds(2))
                _ = state.stop(pid, SIGKILL)
            }
        }
        defer { watchdog?.cancel() }
        // The blocking reads and the wait run off the cooperative pool, which the watchdog needs.
        let input = wire.stdin
        async let written: Void = BlockingWork.run {
            if let input { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.revealed)) }
            try? stdin.fileHandleForWriting.close()
        }
        async let out = BlockingWork.run { stdout.fileHandleForReading.readDataToEndOfFile() }
        async let err = BlockingWork.run { stderr.fileHandleForReading.readDataToEndOfFile() }
        let (_, outData, errData) = await (written, out, err)
        let status = await BlockingWork.run { () -> Int32 in
            process.waitUntilExit()
            return process.terminationStatus
        }
        state.finish()
        if state.stopped, let timeout { throw ModuleError("command timed out after \(timeout) and was stopped") }
        let termination: Termination = process.terminationReason == .uncaughtSignal ? .signaled(String(status)) : .exited(status)
        return CommandResult(termination: termination, stdout: Array(outData), stderr: Array(errData), duration: .now - started)
    }

    public func upload(_ step: UploadStep) async throws {
        let data: Data
        switch step.source {
        case .bytes(let bytes): data = Data(bytes.revealed)
        case .localFile(let path):
            guard let contents = FileManager.default.contents(atPath: path) else { throw ModuleError("cannot read \(path)") }
            data = contents
        }
        let temporary = step.destination + ".skiff-\(UUID().uuidString.prefix(8)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: Int(step.mode)]) else {
            throw ModuleError("cannot write \(step.destination)")
        }
        if rename(temporary, step.destination) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ModuleError("cannot move the upload into \(step.destination)")
        }
    }

    public func close() async {}
}

/// Signals the process group of a local command that ran over its timeout, and stops doing so once the
/// command was waited for (its pid may then be reused).
private final class Watchdog: Sendable {
    private let state = Mutex((finished: false, stopped: false))

    /// Sends `signal` unless the command has finished; true when it was sent.
    func stop(_ pid: pid_t, _ signal: Int32) -> Bool {
        state.withLock { state in
            guard !state.finished else { return false }
            state.stopped = true
            kill(-pid, signal)
            return true
        }
    }

    func finish() { state.withLock { $0.finished = true } }

    var stopped: Bool { state.withLock { $0.stopped } }
}
