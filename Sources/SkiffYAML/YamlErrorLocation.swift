import SkiffCore
import Yams

extension YamlError {
    /// What is wrong, in one line, without Yams's snippet of the text.
    var plainDescription: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return "invalid YAML: \(problem)"
        case .reader(let problem, _, let value, _):
            guard value >= 0 else { return "invalid YAML: \(problem)" }
            let hex = String(value, radix: 16, uppercase: true)
            return "invalid YAML: \(problem) (U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))"
        case .duplicatedKeysInMapping(let duplicates, _):
            let names = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "invalid YAML: \(names) written more than once in one mapping (first here)"
        default:
            return "invalid YAML: " + ("\(self)".split(separator: "\n").first.map(String.init) ?? "syntax error")
        }
    }

    /// Where the problem is in `text`; the start of the file when libyaml gives no place.
    func location(file: String, text: String) -> SourceLocation {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: file, line: max(context.mark.line, 1), column: max(context.mark.column, 1))
        case .reader(_, let offset, _, _):
            return TextPosition.firstForbiddenCharacter(in: text, file: file)
                ?? offset.map { TextPosition.location(ofCharacter: $0, in: text, file: file) }
                ?? SourceLocation(file: file, line: 1, column: 1)
        default:
            return SourceLocation(file: file, line: 1, column: 1)
        }
    }
}

/// Line and column of a place in YAML text, counted as libyaml counts them (columns in Unicode scalars).
enum TextPosition {
    /// The character at `offset` (counted in Characters, as Yams reports a reader problem).
    static func location(ofCharacter offset: Int, in text: String, file: String) -> SourceLocation {
        let end = text.index(text.startIndex, offsetBy: max(offset, 0), limitedBy: text.endIndex) ?? text.endIndex
        return location(of: text[..<end].unicodeScalars, file: file)
    }

    /// The first character the YAML specification does not allow in a document (control characters
    /// other than tab, line feed and carriage return; unpaired surrogates; U+FFFE and U+FFFF).
    static func firstForbiddenCharacter(in text: String, file: String) -> SourceLocation? {
        let scalars = text.unicodeScalars
        guard let index = scalars.firstIndex(where: { !isAllowed($0) }) else { return nil }
        return location(of: scalars[..<index], file: file)
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    private static func location(of before: Substring.UnicodeScalarView, file: String) -> SourceLocation {
        var line = 1
        var column = 1
        for scalar in before {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
