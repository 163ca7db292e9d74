/// What a terminal of `width` columns shows after a transcript: printable characters at the cursor,
/// wrapping past the last column (deferred, as xterm does), `\r`, `\n`, and erase-to-end-of-line
/// (`ESC [ K`); other escape sequences (colours) draw nothing.
struct TerminalScreen {
    private(set) var rows: [[Character]] = [[]]
    private var row = 0
    private var column = 0
    private var wrapPending = false
    let width: Int

    init(width: Int, transcript: String) {
        self.width = width
        var characters = transcript.makeIterator()
        while let character = characters.next() {
            switch character {
            case "\r":
                column = 0
                wrapPending = false
            case "\n":
                newLine()
            case "\r\n":
                column = 0
                newLine()
            case "\u{1B}":
                var sequence = ""
                guard characters.next() == "[" else { continue }
                while let next = characters.next() {
                    if next.isLetter {
                        if next == "K" && (sequence.isEmpty || sequence == "0") {
                            if rows[row].count > column { rows[row].removeSubrange(column...) }
                        }
                        break
                    }
                    sequence.append(next)
                }
            default:
                if wrapPending {
                    column = 0
                    newLine()
                }
                while rows[row].count < column { rows[row].append(" ") }
                if column < rows[row].count { rows[row][column] = character } else { rows[row].append(character) }
                if column == width - 1 { wrapPending = true } else { column += 1 }
            }
        }
    }

    private mutating func newLine() {
        wrapPending = false
        row += 1
        if row == rows.count { rows.append([]) }
    }

    var lines: [String] { rows.map { String($0) } }
}
