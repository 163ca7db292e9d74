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
    private static let symbolCharacters = symbols.map { Array($0) }

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
            if isDigit(c) {
                let start = index
                while index < chars.count && (isDigit(chars[index]) || chars[index] == "_") { index += 1 }
                var isFloat = false
                if index + 1 < chars.count && chars[index] == "." && isDigit(chars[index + 1]) {
                    isFloat = true
                    index += 1
                    while index < chars.count && (isDigit(chars[index]) || chars[index] == "_") { index += 1 }
                }
                if index < chars.count && (chars[index] == "e" || chars[index] == "E") {
                    var exponent = index + 1
                    if exponent < chars.count && (chars[exponent] == "+" || chars[exponent] == "-") { exponent += 1 }
                    if exponent < chars.count && isDigit(chars[exponent]) {
                        isFloat = true
                        index = exponent
                        while index < chars.count && (isDigit(chars[index]) || chars[index] == "_") { index += 1 }
                    }
                }
                result.append(try number(String(chars[start..<index]), isFloat: isFloat, in: text))
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
            if let match = symbolCharacters.firstIndex(where: { matches($0, chars, at: index) }) {
                result.append(.symbol(symbols[match]))
                index += symbolCharacters[match].count
                continue
            }
            throw TemplateError("unexpected character '\(c)' in expression '\(text)'")
        }
        result.append(.end)
        return result
    }

    private static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }

    /// A number literal: an integer, or a float (`1.5`, `1e300`). An integer too large for 64 bits is
    /// read as a float, approximately, as Skiff has no unbounded integers.
    private static func number(_ literal: String, isFloat: Bool, in text: String) throws -> Token {
        let digits = literal.replacingAll("_", with: "")
        if !isFloat, let integer = Int(digits) { return .integer(integer) }
        guard let float = Double(digits) else { throw TemplateError("invalid number '\(literal)' in expression '\(text)'") }
        return .float(float)
    }

    private static func matches(_ symbol: [Character], _ chars: [Character], at index: Int) -> Bool {
        guard index + symbol.count <= chars.count else { return false }
        return chars[index..<index + symbol.count].elementsEqual(symbol)
    }
}
