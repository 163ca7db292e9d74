#if canImport(Glibc)
import Glibc
#endif

/// Writes to the terminal: results to stdout, warnings and errors to stderr (one `write` per line,
/// so lines from hosts finishing at once never interleave).
enum Console {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func out(_ line: String) {
        emit(line + "\n", to: STDOUT_FILENO)
    }

    /// Text as it is, no newline added (the progress line).
    static func write(_ text: String) {
        emit(text, to: STDOUT_FILENO)
    }

    static func warn(_ line: String) {
        emit("[WARNING]: \(line)\n", to: STDERR_FILENO)
    }

    static func error(_ line: String) {
        emit("ERROR! \(line)\n", to: STDERR_FILENO)
    }

    private static func emit(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
