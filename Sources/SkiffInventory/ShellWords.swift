/// Splits a line into words as Python's `shlex.split(line, comments=True)` does, which is how Ansible
/// reads INI host lines: whitespace separates, quotes group, a backslash escapes, `#` starts a comment.
enum ShellWords {
    struct UnclosedQuote: Error {}

    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
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
            case " ", "\t":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "#":
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
