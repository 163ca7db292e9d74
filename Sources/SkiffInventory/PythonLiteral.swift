import OrderedCollections
import SkiffCore

/// Types an INI inventory value as Ansible does (Python's `ast.literal_eval`, falling back to the text):
/// `2222` is a number, `True`/`False` booleans, `None` null, quoted text a string (also with a `b`, `u`
/// or `r` prefix: `b'x'` is the text `x`), `[…]`/`(…)` lists, `{k: v}` dicts, and sets — `{1, 2}`,
/// `set()` — lists (numbers in ascending order, as Python lists a set of small numbers); anything else —
/// `true`, `FALSE`, `10.0.0.5` — stays the string it was written as.
enum PythonLiteral {
    static func value(of text: String) -> Value {
        var parser = Parser(Array(text.unicodeScalars))
        parser.skipSpace()
        guard let value = parser.parseValue() else { return .string(text) }
        parser.skipSpace()
        return parser.isAtEnd ? value : .string(text)
    }

    /// Lists and dicts nested deeper than this are not read as values: the text stays a string (the parser
    /// recurses once per level, and a line of 100,000 `[` would overflow the stack).
    static let maxDepth = 100

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var isAtEnd: Bool { index >= scalars.count }
        var current: Unicode.Scalar? { isAtEnd ? nil : scalars[index] }

        mutating func skipSpace() {
            while let c = current, c == " " || c == "\t" { index += 1 }
        }

        mutating func parseValue() -> Value? {
            skipSpace()
            guard let c = current else { return nil }
            switch c {
            case "'", "\"": return parseString(quote: c, raw: false)
            case "[", "(", "{":
                guard depth < PythonLiteral.maxDepth else { return nil }
                depth += 1
                defer { depth -= 1 }
                return c == "{" ? parseDict() : parseList(close: c == "[" ? "]" : ")")
            default:
                if let raw = skipStringPrefix(), let quote = current { return parseString(quote: quote, raw: raw) }
                if startsWith("set()") {
                    index += 5
                    return .list([])
                }
                return parseAtom()
            }
        }

        func startsWith(_ word: String) -> Bool {
            let wanted = Array(word.unicodeScalars)
            return scalars.count - index >= wanted.count && Array(scalars[index..<index + wanted.count]) == wanted
        }

        /// Steps over a string prefix (`b`, `u`, `r`, `rb`, `br`) directly before a quote; whether it makes a
        /// raw string (backslashes kept), or nil when there is no such prefix.
        mutating func skipStringPrefix() -> Bool? {
            for length in 1...2 where scalars.count - index > length && (scalars[index + length] == "'" || scalars[index + length] == "\"") {
                let prefix = String(String.UnicodeScalarView(scalars[index..<index + length])).lowercased()
                guard ["b", "u", "r", "rb", "br"].contains(prefix) else { return nil }
                index += length
                return prefix.contains("r")
            }
            return nil
        }

        mutating func parseString(quote: Unicode.Scalar, raw: Bool) -> Value? {
            index += 1
            var result = String.UnicodeScalarView()
            while let c = current {
                index += 1
                if c == quote { return .string(String(result)) }
                if c == "\\", !raw, let next = current {
                    index += 1
                    switch next {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    default: result.append(next)
                    }
                } else {
                    result.append(c)
                }
            }
            return nil
        }

        mutating func parseList(close: Unicode.Scalar) -> Value? {
            index += 1
            var items: [Value] = []
            while true {
                skipSpace()
                if current == close { index += 1; return .list(items) }
                guard let item = parseValue() else { return nil }
                items.append(item)
                skipSpace()
                if current == "," { index += 1 } else if current != close { return nil }
            }
        }

        /// A dict, or a set (`{1, 2}`: its first item is not followed by `:`).
        mutating func parseDict() -> Value? {
            index += 1
            var dict = OrderedDictionary<String, Value>()
            while true {
                skipSpace()
                if current == "}" { index += 1; return .dict(dict) }
                guard let first = parseValue() else { return nil }
                skipSpace()
                if dict.isEmpty && (current == "," || current == "}") { return parseSet(first: first) }
                guard case .string(let key) = first else { return nil }
                guard current == ":" else { return nil }
                index += 1
                guard let value = parseValue() else { return nil }
                dict[key] = value
                skipSpace()
                if current == "," { index += 1 } else if current != "}" { return nil }
            }
        }

        /// The rest of a set after its first item: its distinct items, as a list.
        mutating func parseSet(first: Value) -> Value? {
            var items: [Value] = [first]
            while current == "," {
                index += 1
                skipSpace()
                if current == "}" { break }
                guard let item = parseValue() else { return nil }
                if !items.contains(item) { items.append(item) }
                skipSpace()
            }
            guard current == "}" else { return nil }
            index += 1
            let numbers = items.compactMap { item -> Int? in if case .int(let number) = item, number >= 0 { return number } else { return nil } }
            return numbers.count == items.count ? .list(numbers.sorted().map(Value.int)) : .list(items)
        }

        mutating func parseAtom() -> Value? {
            let start = index
            while let c = current, !" \t,]):}".unicodeScalars.contains(c) { index += 1 }
            let word = String(String.UnicodeScalarView(scalars[start..<index]))
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default: break
            }
            let digits = word.replacingAll("_", with: "")
            let unsigned = digits.drop(while: { $0 == "-" || $0 == "+" })
            let leadingZero = unsigned.count > 1 && unsigned.hasPrefix("0") && unsigned.allSatisfy(\.isNumber)
            if let number = Int(digits), word.first != "_", !leadingZero { return .int(number) }
            if digits.hasPrefix("0x") || digits.hasPrefix("-0x"), let number = Int(digits.replacingAll("0x", with: ""), radix: 16) {
                return .int(number)
            }
            if let number = Double(digits), digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }),
                digits.allSatisfy({ "0123456789.eE+-".contains($0) })
            {
                return .double(number)
            }
            return nil
        }
    }
}
