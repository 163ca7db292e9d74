import SkiffCore

/// A command line to run on a host, with optional stdin and a timeout.
public struct RemoteCommand: Sendable {
    /// The exact command line the remote shell runs (build it with `ShellQuote`).
    public var commandLine: String
    /// Bytes written to the command's stdin, followed by EOF. Secret by default: stdin is how
    /// passwords reach a command without showing on its command line.
    public var stdin: Sensitive<[UInt8]>?
    /// Stop the command after this long (nil: no limit).
    public var timeout: Duration?
    /// The command line is one simple command — quoted words, the first an existing program (such as
    /// `/bin/sh -c TEXT`): no operator, redirection, assignment or reserved word — so the host's long-lived
    /// shell may `exec` it in place of a `/bin/sh -c` around it (one process fewer on the host each time).
    public var isSimple: Bool

    public init(_ commandLine: String, stdin: Sensitive<[UInt8]>? = nil, timeout: Duration? = nil, isSimple: Bool = false) {
        self.commandLine = commandLine
        self.stdin = stdin
        self.timeout = timeout
        self.isSimple = isSimple
    }
}

/// Which output stream a chunk came from.
public enum OutputChannel: Sendable, Equatable {
    case stdout
    case stderr
}

/// Receives output as it arrives, on the connection's thread; keep it short.
public typealias OutputHandler = @Sendable (OutputChannel, ArraySlice<UInt8>) -> Void
