import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// The console's last line on a terminal, `  [task] 3/10 hosts done`: one line that fits the terminal's
/// width (the task's name is shortened with `…`), so erasing it (`\r` and erase-line) leaves nothing behind.
enum ProgressLine {
    /// The line for `width` columns: at most `width - 1` characters (a line that fills the last column
    /// wraps on some terminals), the task's name shortened first, control characters shown as spaces.
    static func text(task: String, done: Int, total: Int, width: Int) -> String {
        let room = max(1, width - 1)
        let counts = "] \(done)/\(total) hosts done"
        let name = String(task.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        let full = "  [" + name + counts
        if full.count <= room { return full }
        let nameRoom = room - 3 - counts.count - 1
        if nameRoom >= 1 { return "  [" + name.prefix(nameRoom) + "…" + counts }
        return String(full.prefix(room - 1)) + "…"
    }

    /// The terminal's width in columns: the terminal's own (TIOCGWINSZ on stdout), else `$COLUMNS`, else 80.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = Environment.value("COLUMNS").flatMap(Int.init), columns > 0 { return columns }
        return 80
    }
}
