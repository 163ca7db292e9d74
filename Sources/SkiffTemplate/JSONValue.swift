import Foundation
import OrderedCollections
import SkiffCore

/// JSON text to `Value` (for `from_json`), keeping object key order.
enum JSONValue {
    static func parse(_ text: String) throws -> Value {
        var parser = Scanner(Array(text.utf8))
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.atEnd else { throw TemplateError("from_json: trailing characters") }
        return value
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index >= bytes.count }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> Value {
            skipSpace()
            guard index < bytes.count else { throw TemplateError("from_json: unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var dict = OrderedDictionary<String, Value>()
                skipSpace()
                if bytes[safe: index] == UInt8(ascii: "}") { index += 1; return .dict(dict) }
                while true {
                    skipSpace()
                    guard case .string(let key) = try value() else { throw TemplateError("from_json: object keys must be strings") }
                    skipSpace()
                    guard bytes[safe: index] == UInt8(ascii: ":") else { throw TemplateError("from_json: expected ':'") }
                    index += 1
                    dict[key] = try value()
                    skipSpace()
                    if bytes[safe: index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[safe: index] == UInt8(ascii: "}") else { throw TemplateError("from_json: expected '}'") }
                    index += 1
                    return .dict(dict)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [Value] = []
                skipSpace()
                if bytes[safe: index] == UInt8(ascii: "]") { index += 1; return .list(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    if bytes[safe: index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[safe: index] == UInt8(ascii: "]") else { throw TemplateError("from_json: expected ']'") }
                    index += 1
                    return .list(items)
                }
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                index += 1
                let literal = Data(bytes[start..<min(index, bytes.count)])
                guard let text = try? JSONSerialization.jsonObject(with: literal, options: [.fragmentsAllowed]) as? String else {
                    throw TemplateError("from_json: invalid string")
                }
                return .string(text)
            default:
                let start = index
                while index < bytes.count, !",]} \t\n\r".utf8.contains(bytes[index]) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                default:
                    if let number = Int(word) { return .int(number) }
                    if let number = Double(word) { return .double(number) }
                    throw TemplateError("from_json: unexpected '\(word)'")
                }
            }
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
