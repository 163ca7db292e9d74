import SkiffCore

/// Line and column of a place in YAML text, counted as libyaml counts them (columns in Unicode scalars).
enum TextPosition {
    /// The character at `offset` (counted in Characters).
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
