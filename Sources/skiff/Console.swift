import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes to the terminal: results to stdout, warnings and errors to stderr (one `write` per line,
/// so lines from hosts finishing at once never interleave).
enum Console {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Colours on a terminal, or wherever `FORCE_COLOR` asks (CI logs render ANSI colours); never with
    /// `NO_COLOR` (https://no-color.org), which wins.
    static var colorful: Bool {
        if let noColor = Environment.value("NO_COLOR"), !noColor.isEmpty { return false }
        if let force = Environment.value("FORCE_COLOR"), !force.isEmpty, force != "0", force.lowercased() != "false" { return true }
        return isTerminal
    }

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
