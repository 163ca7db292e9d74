import SkiffCore

/// JSON text to `Value` (for `from_json`). Arrays and objects nested more than
/// `TemplateLimits.expressionDepth` deep are an error, found before the text is parsed.
enum JSONValue {
    static func parse(_ text: String) throws -> Value {
        try checkNesting(text)
        do {
            return try JSONParser.parse(text)
        } catch {
            throw TemplateError("from_json: \(error.message)")
        }
    }

    private static func checkNesting(_ text: String) throws {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in text.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > TemplateLimits.expressionDepth {
                    throw TemplateError("from_json: arrays and objects nested more than \(TemplateLimits.expressionDepth) deep")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
    }
}
