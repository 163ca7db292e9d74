import CLibSSH2
import SkiffCore

/// One long-lived `/bin/sh` on one channel, which runs a connection's commands one after another.
///
/// Every command on its own channel costs the host a new channel and a forked login shell; a deploy sends
/// eight or more per host. Here each command is written to the shell's stdin as
/// `( export MARKER; exec /bin/sh -c COMMAND ) </dev/null` (`exec COMMAND` for a simple command; or with
/// its stdin piped in from `printf` octal
/// escapes — a shell builtin, so the bytes appear on no command line), followed by two end lines carrying a
/// per-connection random tag: one on stdout with the exit status, one on stderr. Output up to the end lines
/// is the command's. Its own `sh` keeps `exit`, `cd` and variables from reaching the next command, and
/// carries the marker variable that finds a timed-out command's processes (see `ChannelExec`). When the shell itself ends
/// (a command killed it), that command's result says so and the next command starts a new shell.
final class PersistentShell {
    private let channel: OpaquePointer
    private let tag: String
    private(set) var ended = false

    private init(channel: OpaquePointer, tag: String) {
        self.channel = channel
        self.tag = tag
    }

    static func open(_ session: LibSSH2Session, deadline: Deadline) throws -> PersistentShell {
        let timedOut = { SSHError(.commandTimedOut, host: session.host, "starting the remote shell timed out") }
        let channel = try session.drivePointer(deadline, what: "opening a channel", onTimeout: timedOut) {
            libssh2_channel_open_ex(session.raw, "session", 7, ChannelExec.windowSize, UInt32(LIBSSH2_CHANNEL_PACKET_DEFAULT), nil, 0)
        }
        let line = "exec /bin/sh"
        do {
            try session.driveStatus(deadline, what: "starting the remote shell", onTimeout: timedOut) {
                libssh2_channel_process_startup(channel, "exec", 4, line, UInt32(line.utf8.count))
            }
        } catch {
            libssh2_channel_free(channel)
            throw error
        }
        return PersistentShell(channel: channel, tag: "__skiff_end_" + RandomToken.hex64() + RandomToken.hex64())
    }

    func close(_ session: LibSSH2Session) {
        session.uninterruptible {
            _ = try? session.drive(.after(.seconds(2)), until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: {
                SSHError(.commandTimedOut, host: session.host, "closing the remote shell timed out")
            }) { libssh2_channel_close(channel) }
            libssh2_channel_free(channel)
        }
        ended = true
    }

    /// The text written to the shell for one command.
    static func script(for command: RemoteCommand, marker: String, tag: String) -> String {
        // A fresh process with the marker in its environment from the start (a forked subshell's
        // /proc/PID/environ would not show it), so that stopping the command stops all of it: a simple
        // command is that process itself, anything else a fresh `sh` that runs it.
        let program = command.isSimple ? command.commandLine : "/bin/sh -c " + ShellQuote.quote(command.commandLine)
        let body = "( export \(ChannelExec.markerVariable)=\(marker); exec \(program) )"
        let stdin = command.stdin?.revealed ?? []
        let run = stdin.isEmpty ? body + " </dev/null" : "printf '" + ShellQuote.octalEscapes(stdin) + "' | " + body
        return run + endLines(tag: tag)
    }

    /// After each command: its exit status and the tag on stdout, the tag on stderr (see `Reader`).
    private static func endLines(tag: String) -> String {
        "\nprintf '\\n\(tag) %d\\n' $?; printf '\\n\(tag)\\n' >&2\n"
    }

    /// The text written to the shell for a script it runs itself, in a subshell (no new process but
    /// the subshell's fork): the marker reaches the programs the script starts. For Skiff's own short
    /// scripts whose text may carry data that must not appear on a command line (`ShellUpload`).
    static func inlineScript(_ script: String, marker: String, tag: String) -> String {
        "( export \(ChannelExec.markerVariable)=\(marker); \(script)\n) </dev/null" + endLines(tag: tag)
    }

    /// Runs one command; a non-zero exit is a result. Throws on a timeout (the command is stopped first),
    /// cancellation, or a lost connection.
    func run(_ session: LibSSH2Session, _ command: RemoteCommand) throws -> CommandResult {
        try execute(session, timeout: command.timeout) { Self.script(for: command, marker: $0, tag: tag) }
    }

    /// Runs `script` in a subshell of the long-lived shell (see `inlineScript`).
    func runInline(_ session: LibSSH2Session, script: Sensitive<String>, timeout: Duration?) throws -> CommandResult {
        try execute(session, timeout: timeout) { Self.inlineScript(script.revealed, marker: $0, tag: tag) }
    }

    private func execute(_ session: LibSSH2Session, timeout: Duration?, text: (_ marker: String) -> String) throws
        -> CommandResult
    {
        let started = ContinuousClock.now
        let marker = RandomToken.hex64()
        let deadline = Deadline.after(timeout)
        var reader = Reader(tag: tag)
        do {
            try write(session, Array(text(marker).utf8), deadline: deadline)
            try pump(session, deadline: deadline, reader: &reader)
        } catch let error as SSHError where error.kind == .commandTimedOut || error.kind == .cancelled {
            session.uninterruptible {
                for signal in ["TERM", "KILL"] {
                    let killer = RemoteCommand(ChannelExec.killScript(marker: marker, signal: signal), timeout: ChannelExec.stopGrace)
                    _ = try? ChannelExec(session: session, command: killer, onOutput: nil).run()
                    if (try? pump(session, deadline: .after(ChannelExec.stopGrace), reader: &reader)) != nil { break }
                }
                if !reader.complete { close(session) }
            }
            throw error
        }
        guard let status = reader.status else {
            var stderr = reader.stderr
            stderr += Array("\nthe remote shell ended during this command\n".utf8)
            return CommandResult(termination: .exited(255), stdout: reader.stdout, stderr: stderr, duration: .now - started)
        }
        return CommandResult(termination: .exited(status), stdout: reader.stdout, stderr: reader.stderr, duration: .now - started)
    }

    private func write(_ session: LibSSH2Session, _ bytes: [UInt8], deadline: Deadline) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBufferPointer { pointer in
                pointer.withMemoryRebound(to: CChar.self) {
                    libssh2_channel_write_ex(channel, 0, $0.baseAddress! + offset, bytes.count - offset)
                }
            }
            if written > 0 {
                offset += written
            } else if written == Int(LIBSSH2_ERROR_EAGAIN) {
                if try !session.waitForSocket(deadline) {
                    throw SSHError(.commandTimedOut, host: session.host, "command timed out and was stopped")
                }
            } else {
                throw session.error(Int32(written), while: "sending a command to the remote shell")
            }
        }
    }

    /// Reads both streams until both end lines arrived, or the shell ended.
    private func pump(_ session: LibSSH2Session, deadline: Deadline, reader: inout Reader) throws {
        var buffer = [UInt8](unsafeUninitializedCapacity: ChannelExec.readChunk) { _, count in count = ChannelExec.readChunk }
        while !reader.complete {
            var progressed = false
            for stream in [Int32(0), 1] {
                while true {
                    let count = buffer.withUnsafeMutableBufferPointer { bytes in
                        bytes.withMemoryRebound(to: CChar.self) { libssh2_channel_read_ex(channel, stream, $0.baseAddress, $0.count) }
                    }
                    if count > 0 {
                        reader.append(buffer[0..<count], stream: stream)
                        progressed = true
                        continue
                    }
                    if count == 0 || count == Int(LIBSSH2_ERROR_EAGAIN) { break }
                    throw session.error(Int32(count), while: "reading command output")
                }
            }
            if reader.complete { return }
            if libssh2_channel_eof(channel) == 1 {
                close(session)
                return
            }
            if !progressed, try !session.waitForSocket(deadline) {
                throw SSHError(.commandTimedOut, host: session.host, "command timed out and was stopped")
            }
        }
    }

    /// Collects a command's output and finds the end lines (looking only at what just arrived, so long
    /// outputs cost no rescans).
    struct Reader {
        let stdoutEnd: [UInt8]
        let stderrEnd: [UInt8]
        private var out: [UInt8] = []
        private var err: [UInt8] = []
        private var outEnd: Int?
        private var errEnd: Int?
        private(set) var status: Int32?

        init(tag: String) {
            stdoutEnd = Array("\n\(tag) ".utf8)
            stderrEnd = Array("\n\(tag)\n".utf8)
        }

        var complete: Bool { status != nil && errEnd != nil }
        var stdout: [UInt8] { Array(out[..<(outEnd ?? out.count)]) }
        var stderr: [UInt8] { Array(err[..<(errEnd ?? err.count)]) }

        mutating func append(_ bytes: ArraySlice<UInt8>, stream: Int32) {
            if stream == 0 {
                guard status == nil else { return }
                let from = max(0, out.count - stdoutEnd.count - 24)
                out += bytes
                if outEnd == nil { outEnd = Self.find(stdoutEnd, in: out, from: from) }
                if let start = outEnd, let newline = out[(start + stdoutEnd.count)...].firstIndex(of: 0x0A) {
                    status = Int32(String(decoding: out[(start + stdoutEnd.count)..<newline], as: UTF8.self)) ?? 255
                }
            } else {
                guard errEnd == nil else { return }
                let from = max(0, err.count - stderrEnd.count)
                err += bytes
                errEnd = Self.find(stderrEnd, in: err, from: from)
            }
        }

        static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
            guard haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
            for index in from...(haystack.count - needle.count)
            where haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            return nil
        }
    }
}
