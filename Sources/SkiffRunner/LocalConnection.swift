#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
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
        let wire = step.wire
        let process: ChildProcess
        do {
            process = try ChildProcess("/bin/sh", arguments: ["-c", wire.commandLine], pipeInput: true, pipeOutput: true, pipeErrors: true)
        } catch {
            throw ModuleError("cannot run /bin/sh: \(error)")
        }
        // A command over its timeout is stopped as over SSH: TERM, then KILL if it is still there. The
        // shell leads its own process group (ChildProcess starts it so), and the whole group is signalled:
        // `sleep` in `sh -c 'sleep 60; …'` would otherwise keep the output pipes open.
        let pid = process.pid
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
        async let written: Void = BlockingWork.run { ChildProcess.writeAll(input?.revealed ?? [], to: process.input) }
        async let out = BlockingWork.run { ChildProcess.readAll(process.output) }
        async let err = BlockingWork.run { ChildProcess.readAll(process.errors) }
        let (_, outData, errData) = await (written, out, err)
        let exit = await BlockingWork.run { process.wait() }
        state.finish()
        if state.stopped, let timeout { throw ModuleError("command timed out after \(timeout) and was stopped") }
        let termination: Termination
        switch exit {
        case .exited(let status): termination = .exited(status)
        case .signaled(let signal): termination = .signaled(String(signal))
        }
        return CommandResult(termination: termination, stdout: outData, stderr: errData, duration: .now - started)
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
