#if canImport(Glibc)
import Glibc
#endif

/// A question asked on the terminal (`/dev/tty`, so that piped output stays clean), answered by a line:
/// `--step`'s questions, and passwords and passphrases (with echo off).
enum TerminalQuestion {
    static var available: Bool {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else { return false }
        close(tty)
        return true
    }

    /// Shows `prompt` and returns the line typed (without its newline), or nil when there is no terminal
    /// or the input ends before anything was typed. With `echo` off, what is typed is not shown.
    @Sendable static func ask(_ prompt: String) -> String? { ask(prompt, echo: true) }

    static func ask(_ prompt: String, echo: Bool) -> String? {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else { return nil }
        defer { close(tty) }
        // Echo goes off before the question shows: what is typed once it shows is neither shown nor flushed.
        var original = termios()
        if !echo {
            tcgetattr(tty, &original)
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &silent)
        }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        defer {
            if !echo {
                tcsetattr(tty, TCSAFLUSH, &original)
                _ = write(tty, "\n", 1)
            }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(tty, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
