/// How a remote command ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    /// The command exited with this status.
    case exited(Int32)
    /// The command was killed by this signal (name without `SIG`, as SSH reports it, e.g. `KILL`).
    case signaled(String)

    public var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// The outcome of one command run on a host: its termination and its output, captured separately.
/// Output on stderr is not failure; only the termination says whether the command succeeded.
public struct CommandResult: Sendable, Equatable {
    public var termination: Termination
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Wall time from opening the channel to its close.
    public var duration: Duration

    public init(termination: Termination, stdout: [UInt8], stderr: [UInt8], duration: Duration) {
        self.termination = termination
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
    }

    /// The exit status, or `nil` when the command was killed by a signal.
    public var exitStatus: Int32? {
        if case .exited(let status) = termination { return status }
        return nil
    }

    public var succeeded: Bool { termination == .exited(0) }

    /// stdout decoded as UTF-8 (invalid sequences replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded as UTF-8 (invalid sequences replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
