import SkiffCore

/// JSON text to `Value` (for `from_json`).
enum JSONValue {
    static func parse(_ text: String) throws -> Value {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw TemplateError("from_json: \(error.message)")
        }
    }
}
