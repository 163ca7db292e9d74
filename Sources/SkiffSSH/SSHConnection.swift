import CLibSSH2
import SkiffCore

/// An authenticated SSH connection to one host, reused for every command and upload of a run.
///
/// Each connection has its own queue of jobs (see `SessionQueue`) that owns the libssh2 session and runs
/// on a worker thread while it has work; the async methods hand work to it and suspend without blocking
/// Swift's cooperative pool. Calls on one connection run one after another; different connections run
/// in parallel.
public final class SSHConnection: Sendable {
    public let target: SSHTarget
    /// The host key the server proved it holds.
    public let hostKey: HostKey
    private let queue: SessionQueue
    private let interrupter: Interrupter
    private let state: SessionBox
    /// The jump host the session runs through, kept open while this connection lives.
    public let jumpHost: SSHJumpHost?

    private init(
        target: SSHTarget, hostKey: HostKey, queue: SessionQueue, interrupter: Interrupter, state: SessionBox,
        jumpHost: SSHJumpHost?
    ) {
        self.jumpHost = jumpHost
        self.target = target
        self.hostKey = hostKey
        self.queue = queue
        self.interrupter = interrupter
        self.state = state
    }

    /// Connects, checks the host key, authenticates and starts keepalives, all within
    /// `options.connectTimeout`. Throws an `SSHError` that names the host and the reason.
    /// - Parameter knownHosts: the parsed known_hosts files, when the caller loaded them once for
    ///   many hosts; read from `options.knownHostsFiles` otherwise.
    /// - Parameter via: a jump host to connect through (ProxyJump); the target's address and port are
    ///   then as the jump host sees them.
    public static func connect(
        to target: SSHTarget, options: SSHOptions = SSHOptions(), credentials: SSHCredentials,
        knownHosts: KnownHosts? = nil, via: SSHJumpHost? = nil
    ) async throws -> SSHConnection {
        LibSSH2Runtime.ensureInitialized()
        let knownHosts = try knownHosts ?? KnownHosts.load(files: options.knownHostsFiles)
        let queue = SessionQueue()
        let interrupter = Interrupter()
        let state = SessionBox()
        do {
            let hostKey = try await perform(on: queue, interrupter: interrupter, host: target.description) {
                let opened = try SessionOpener(
                    target: target, options: options, credentials: credentials, knownHosts: knownHosts,
                    interrupter: interrupter, via: via
                ).open()
                state.session = opened.session
                queue.setIdleWork { [weak state] in
                    guard let session = state?.session else { return nil }
                    try? session.serviceKeepalive()
                    return session.nextKeepaliveCheck
                }
                return opened.hostKey
            }
            return SSHConnection(target: target, hostKey: hostKey, queue: queue, interrupter: interrupter, state: state, jumpHost: via)
        } catch {
            queue.stop()
            throw error
        }
    }

    /// Runs a command and returns how it ended with its stdout and stderr. A non-zero exit is a
    /// result, not an error; errors are for a timeout, cancellation or a broken connection.
    public func run(_ command: RemoteCommand, onOutput: OutputHandler? = nil) async throws -> CommandResult {
        try await withSession { session in
            try ChannelExec(session: session, command: command, onOutput: onOutput).run()
        }
    }

    /// Runs a command through the connection's long-lived shell (see `PersistentShell`): one channel for
    /// all of a run's commands on this host, instead of one channel and one login shell per command. The
    /// command line is run by `/bin/sh`, not the login shell.
    public func runInShell(_ command: RemoteCommand) async throws -> CommandResult {
        try await withShell(timeout: command.timeout) { shell, session in try shell.run(session, command) }
    }

    /// Runs one of Skiff's own scripts in a subshell of the connection's long-lived shell.
    func runInlineInShell(_ script: Sensitive<String>, timeout: Duration?) async throws -> CommandResult {
        try await withShell(timeout: timeout) { shell, session in try shell.runInline(session, script: script, timeout: timeout) }
    }

    /// The connection's long-lived shell, started when there is none or the last one ended.
    private func withShell<T: Sendable>(
        timeout: Duration?, _ body: @escaping @Sendable (PersistentShell, LibSSH2Session) throws -> T
    ) async throws -> T {
        try await withSession { [state] session in
            if state.shell == nil || state.shell?.ended == true {
                state.shell = try PersistentShell.open(session, deadline: .after(timeout ?? .seconds(60)))
            }
            return try body(state.shell!, session)
        }
    }

    /// Runs a command line with no stdin and no timeout.
    public func run(_ commandLine: String) async throws -> CommandResult {
        try await run(RemoteCommand(commandLine))
    }

    /// Uploads to `path` atomically (temp file + rename) with `mode`: small files through the
    /// connection's shell (`ShellUpload`), the rest over SFTP.
    public func upload(_ source: UploadSource, to path: String, mode: UInt32 = 0o644, timeout: Duration? = nil)
        async throws
    {
        if let bytes = ShellUpload.smallContents(of: source) {
            let result = try await runInlineInShell(ShellUpload.script(destination: path, mode: mode, bytes: bytes), timeout: timeout)
            guard result.succeeded else {
                throw ShellUpload.failure(result, destination: path, host: target.description)
            }
            return
        }
        try await withSession { session in
            try SFTPUpload(session: session, source: source, destination: path, mode: mode, deadline: .after(timeout))
                .run()
        }
    }

    /// Disconnects and stops the connection's queue. Later calls fail.
    public func close() async {
        _ = try? await Self.perform(on: queue, interrupter: interrupter, host: target.description) { [state, queue] in
            queue.setIdleWork(nil)
            if let session = state.session { state.shell?.close(session) }
            state.shell = nil
            state.session?.disconnect()
            state.session = nil
        }
        queue.stop()
    }

    private func withSession<T: Sendable>(_ body: @escaping @Sendable (LibSSH2Session) throws -> T) async throws -> T {
        try await Self.perform(on: queue, interrupter: interrupter, host: target.description) { [state, target] in
            guard let session = state.session else {
                throw SSHError(.connectionLost, host: target.description, "the connection is closed")
            }
            do {
                return try body(session)
            } catch let error as SSHError where error.kind == .connectionLost {
                state.session = nil
                state.shell = nil
                throw error
            }
        }
    }

    /// Runs `body` on the connection's queue; cancelling the calling task interrupts it.
    private static func perform<T: Sendable>(
        on queue: SessionQueue, interrupter: Interrupter, host: String, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let id = interrupter.makeOperationID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                queue.submit {
                    guard interrupter.begin(id) else {
                        interrupter.end(id)
                        continuation.resume(throwing: SSHError(.cancelled, host: host, "cancelled before it started"))
                        return
                    }
                    let result = Result { try body() }
                    interrupter.end(id)
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            interrupter.cancel(id)
        }
    }

    deinit {
        queue.stop()
    }
}

/// The session, touched only by the connection's queued jobs.
final class SessionBox: @unchecked Sendable {
    var session: LibSSH2Session?
    /// The long-lived shell `runInShell` uses, opened on first use.
    var shell: PersistentShell?
}
