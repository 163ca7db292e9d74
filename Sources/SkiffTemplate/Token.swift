/// A lexical token of a Jinja2 expression.
enum Token: Equatable {
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    /// Operators and punctuation: `+ - * / // % ** ~ == != < <= > >= ( ) [ ] { } , : . | =`.
    case symbol(String)
    case end
}

/// Splits expression text into tokens.
struct Lexer {
    static let symbols = ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|", "="]

    static func tokens(_ text: String) throws -> [Token] {
        let chars = Array(text)
        var index = 0
        var result: [Token] = []
        while index < chars.count {
            let c = chars[index]
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                index += 1
                continue
            }
            if c.isLetter || c == "_" {
                let start = index
                while index < chars.count && (chars[index].isLetter || chars[index].isNumber || chars[index] == "_") { index += 1 }
                result.append(.name(String(chars[start..<index])))
                continue
            }
            if c.isNumber {
                let start = index
                while index < chars.count && (chars[index].isNumber || chars[index] == "_") { index += 1 }
                var isFloat = false
                if index + 1 < chars.count && chars[index] == "." && chars[index + 1].isNumber {
                    isFloat = true
                    index += 1
                    while index < chars.count && chars[index].isNumber { index += 1 }
                }
                let literal = String(chars[start..<index]).replacingAll("_", with: "")
                result.append(isFloat ? .float(Double(literal) ?? 0) : .integer(Int(literal) ?? 0))
                continue
            }
            if c == "'" || c == "\"" {
                index += 1
                var value = ""
                var closed = false
                while index < chars.count {
                    let d = chars[index]
                    index += 1
                    if d == c { closed = true; break }
                    if d == "\\" && index < chars.count {
                        let e = chars[index]
                        index += 1
                        switch e {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "\\", "'", "\"": value.append(e)
                        default: value.append("\\"); value.append(e)
                        }
                    } else {
                        value.append(d)
                    }
                }
                guard closed else { throw TemplateError("unterminated string in expression '\(text)'") }
                result.append(.string(value))
                continue
            }
            if let symbol = symbols.first(where: { matches($0, chars, at: index) }) {
                result.append(.symbol(symbol))
                index += symbol.count
                continue
            }
            throw TemplateError("unexpected character '\(c)' in expression '\(text)'")
        }
        result.append(.end)
        return result
    }

    private static func matches(_ symbol: String, _ chars: [Character], at index: Int) -> Bool {
        let symbolChars = Array(symbol)
        guard index + symbolChars.count <= chars.count else { return false }
        return Array(chars[index..<index + symbolChars.count]) == symbolChars
    }
}
