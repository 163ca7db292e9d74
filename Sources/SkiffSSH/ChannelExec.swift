import CLibSSH2
import SkiffCore

/// Runs one command on a new session channel: writes stdin, reads stdout and stderr together
/// (so neither fills up while the other is waited for), and collects how the command ended.
struct ChannelExec {
    let session: LibSSH2Session
    let command: RemoteCommand
    let onOutput: OutputHandler?
    private let marker = RandomToken.hex64()

    init(session: LibSSH2Session, command: RemoteCommand, onOutput: OutputHandler?) {
        self.session = session
        self.command = command
        self.onOutput = onOutput
    }

    /// How long to wait between asking a timed-out command to stop (TERM) and killing it (KILL).
    static let stopGrace = Duration.seconds(2)
    static let readChunk = 32 * 1024
    static let windowSize: UInt32 = 8 * 1024 * 1024

    func run() throws -> CommandResult {
        let started = ContinuousClock.now
        let setupDeadline = Deadline.after(command.timeout ?? .seconds(60))
        let channel = try session.drivePointer(setupDeadline, what: "opening a channel", onTimeout: timedOut) {
            libssh2_channel_open_ex(
                session.raw, "session", 7, Self.windowSize, UInt32(LIBSSH2_CHANNEL_PACKET_DEFAULT), nil, 0)
        }
        defer { libssh2_channel_free(channel) }

        let line = Self.markedCommandLine(command.commandLine, marker: marker)
        try session.driveStatus(setupDeadline, what: "starting the command", onTimeout: timedOut) {
            libssh2_channel_process_startup(channel, "exec", 4, line, UInt32(line.utf8.count))
        }

        var output = Output()
        do {
            try pump(channel, deadline: .after(command.timeout), output: &output)
        } catch let error as SSHError where error.kind == .commandTimedOut || error.kind == .cancelled {
            session.uninterruptible { stop(channel, output: &output) }
            throw error
        }
        try session.driveStatus(.after(.seconds(10)), what: "closing the channel", onTimeout: timedOut) {
            libssh2_channel_close(channel)
        }
        try session.driveStatus(.after(.seconds(10)), what: "closing the channel", onTimeout: timedOut) {
            libssh2_channel_wait_closed(channel)
        }
        return CommandResult(
            termination: termination(of: channel), stdout: output.stdout, stderr: output.stderr,
            duration: .now - started)
    }

    private struct Output {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdinOffset = 0
        var eofSent = false
    }

    private func timedOut() -> SSHError {
        let limit = command.timeout.map { "\($0.seconds) s" } ?? "its limit"
        return SSHError(.commandTimedOut, host: session.host, "command timed out after \(limit) and was stopped")
    }

    /// Moves bytes both ways until the server sends EOF on the channel.
    private func pump(_ channel: OpaquePointer, deadline: Deadline, output: inout Output) throws {
        let stdin = command.stdin?.revealed ?? []
        // Not zero-filled: libssh2 writes before anything is read, and untouched pages cost no memory.
        var buffer = [UInt8](unsafeUninitializedCapacity: Self.readChunk) { _, count in count = Self.readChunk }
        while true {
            var progressed = false
            if output.stdinOffset < stdin.count {
                let written = stdin.withUnsafeBufferPointer { bytes in
                    bytes.withMemoryRebound(to: CChar.self) {
                        libssh2_channel_write_ex(
                            channel, 0, $0.baseAddress! + output.stdinOffset, stdin.count - output.stdinOffset)
                    }
                }
                if written > 0 {
                    output.stdinOffset += written
                    progressed = true
                } else if written < 0 && written != Int(LIBSSH2_ERROR_EAGAIN) {
                    // The command may exit without reading its stdin; that is its business, not an error.
                    output.stdinOffset = stdin.count
                }
            }
            if output.stdinOffset >= stdin.count && !output.eofSent {
                let rc = libssh2_channel_send_eof(channel)
                if rc != LIBSSH2_ERROR_EAGAIN { output.eofSent = true }
            }
            progressed = try drain(channel, stream: 0, into: &output.stdout, buffer: &buffer) || progressed
            progressed = try drain(channel, stream: 1, into: &output.stderr, buffer: &buffer) || progressed
            if libssh2_channel_eof(channel) == 1 { return }
            if !progressed, try !session.waitForSocket(deadline) {
                throw timedOut()
            }
        }
    }

    /// Reads what is available on one stream; true when anything arrived.
    private func drain(_ channel: OpaquePointer, stream: Int32, into sink: inout [UInt8], buffer: inout [UInt8])
        throws -> Bool
    {
        var any = false
        while true {
            let count = buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    libssh2_channel_read_ex(channel, stream, $0.baseAddress, $0.count)
                }
            }
            if count > 0 {
                sink.append(contentsOf: buffer[0..<count])
                onOutput?(stream == 0 ? .stdout : .stderr, buffer[0..<count])
                any = true
                continue
            }
            if count == 0 || count == Int(LIBSSH2_ERROR_EAGAIN) { return any }
            throw session.error(Int32(count), while: "reading command output")
        }
    }

    /// Stops a command that must not go on: TERM to every process that carries this command's marker,
    /// then KILL after a grace period, then the channel is closed. (libssh2 1.10 cannot send the SSH
    /// "signal" request on a started channel, so the signal is sent from a second channel.)
    private func stop(_ channel: OpaquePointer, output: inout Output) {
        for signal in ["TERM", "KILL"] {
            let killer = RemoteCommand(Self.killScript(marker: marker, signal: signal), timeout: Self.stopGrace)
            _ = try? ChannelExec(session: session, command: killer, onOutput: nil).run()
            if (try? pump(channel, deadline: .after(Self.stopGrace), output: &output)) != nil { break }
        }
        _ = try? session.drive(.after(.seconds(1)), until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timedOut) {
            libssh2_channel_close(channel)
        }
    }

    /// The command line as sent: the caller's command with a per-command marker in its environment,
    /// which every process it starts inherits, so a timed-out or cancelled command can be found and stopped.
    static func markedCommandLine(_ commandLine: String, marker: String) -> String {
        "\(markerVariable)=\(marker); export \(markerVariable); \(commandLine)"
    }

    /// Sends `signal` to every process whose environment holds the marker (Linux `/proc`).
    static func killScript(marker: String, signal: String) -> String {
        """
        for f in $(grep -lzx '\(markerVariable)=\(marker)' /proc/[0-9]*/environ 2>/dev/null); do \
        p=${f#/proc/}; kill -s \(signal) "${p%/environ}" 2>/dev/null; done; true
        """
    }

    static let markerVariable = "SKIFF_COMMAND"

    private func termination(of channel: OpaquePointer) -> Termination {
        var signal: UnsafeMutablePointer<CChar>?
        var signalLength = 0
        libssh2_channel_get_exit_signal(channel, &signal, &signalLength, nil, nil, nil, nil)
        if let signal {
            defer { libssh2_free(session.raw, signal) }
            return .signaled(String(cString: signal))
        }
        return .exited(libssh2_channel_get_exit_status(channel))
    }
}
