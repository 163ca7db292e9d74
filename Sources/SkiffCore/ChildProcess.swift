#if canImport(Glibc)
import Glibc
#endif

/// A program Skiff runs on the controller (`/bin/sh -c` for local steps, a vault password script),
/// started with `posix_spawn` as the leader of a process group of its own, with the signals it gets
/// set back to their defaults. Its standard streams are the caller's unless a pipe is asked for.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// The parent's ends of the pipes asked for (-1 where the caller's stream is shared); the caller closes them.
    public let input: Int32
    public let output: Int32
    public let errors: Int32

    /// How a child ended.
    public enum Exit: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Starts `path` with `arguments` (argv[1...]), in Skiff's environment and working directory.
    public init(_ path: String, arguments: [String], pipeInput: Bool = false, pipeOutput: Bool = false, pipeErrors: Bool = false) throws(ChildProcessError) {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        var opened: [Int32] = []
        // Both ends close on exec (so no other child inherits them); dup2 gives the child its own copy.
        // Pipes are made and children started under one lock, so no child starts between the two.
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        func makePipe(for target: Int32, childReads: Bool) throws(ChildProcessError) -> Int32 {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { throw ChildProcessError(path: path, code: errno) }
            opened += ends
            ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
            let (childEnd, parentEnd) = childReads ? (ends[0], ends[1]) : (ends[1], ends[0])
            posix_spawn_file_actions_adddup2(&actions, childEnd, target)
            return parentEnd
        }
        do {
            input = pipeInput ? try makePipe(for: 0, childReads: true) : -1
            output = pipeOutput ? try makePipe(for: 1, childReads: false) : -1
            errors = pipeErrors ? try makePipe(for: 2, childReads: false) : -1
        } catch {
            opened.forEach { _ = close($0) }
            throw error
        }
        // Nothing else Skiff has open (SSH sockets, the audit log) reaches the child.
        _ = Self.closeFrom?(&actions, 3)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var started: pid_t = 0
        var result = posix_spawn(&started, path, &actions, &attributes, argv + [nil], environ)
        // A script written moments ago can still be open for writing in a process that the writer forked
        // and that has not yet exec'd (a CI job's step, a test harness): exec then fails with "Text file
        // busy" until that process moves on. Wait for it, up to a second, as a shell user would retry.
        var waited = 0
        while result == ETXTBSY && waited < Self.busyRetries {
            // Other children may start meanwhile: the pipes already close on exec.
            Self.spawning.unlock()
            usleep(Self.busyRetryMicroseconds)
            Self.spawning.lock()
            waited += 1
            result = posix_spawn(&started, path, &actions, &attributes, argv + [nil], environ)
        }
        // The child's ends are the child's now; the parent keeps only its own.
        let kept: Set<Int32> = [input, output, errors]
        opened.filter { !kept.contains($0) }.forEach { _ = close($0) }
        guard result == 0 else {
            kept.filter { $0 >= 0 }.forEach { _ = close($0) }
            throw ChildProcessError(path: path, code: result)
        }
        pid = started
    }

    private static let spawning = ThreadLock()
    /// How often, and how far apart, a program that is busy being written is tried again: 1 s in all.
    static let busyRetries = 50
    static let busyRetryMicroseconds: UInt32 = 20_000

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34 and later), looked up where it is not declared.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
    }()

    /// Waits for the child to end (blocking: run it off the cooperative pool).
    public func wait() -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return .exited(-1) }
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// Everything readable from `descriptor` until its end; closes it.
    public static func readAll(_ descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        _ = close(descriptor)
        return bytes
    }

    /// Writes all of `bytes` to `descriptor` (stopping early if the reader is gone); closes it.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                written += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        _ = close(descriptor)
    }
}

/// A program that could not be started, with the system's reason.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let path: String
    public let code: Int32

    public var description: String { "\(path): \(String(cString: strerror(code)))" }
}
