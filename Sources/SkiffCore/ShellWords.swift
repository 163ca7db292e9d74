/// Splits a line into words as Python's `shlex.split` does: whitespace separates, quotes group
/// (a backslash escapes `"` and `\` inside double quotes, and stays before anything else), a backslash escapes outside quotes, and with `comments`
/// a `#` starts a comment. Ansible reads INI host lines (with comments) and `command` lines this way.
public enum ShellWords {
    public struct UnclosedQuote: Error, Sendable {}

    public static func split(_ line: String, comments: Bool = false) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                // Inside double quotes a backslash escapes only `"` and itself; before anything else it stays.
                if quote == "\"" && character != "\"" && character != "\\" { word.append("\\") }
                word.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    word.append(character)
                }
                continue
            }
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "#" where comments:
                if inWord { words.append(word) }
                return words
            case "'", "\"":
                quote = character
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            default:
                word.append(character)
                inWord = true
            }
        }
        if quote != nil { throw UnclosedQuote() }
        if inWord { words.append(word) }
        return words
    }
}
