import OrderedCollections

/// JSON text to `Value`, keeping object key order (`from_json`, the audit log, lock files and output read
/// from hosts). Without Foundation. Objects and arrays nest at most `maxDepth` levels: the parser recurses
/// once per level, and text from a host must never overflow the controller's stack.
public enum JSONParser {
    public static let maxDepth = 512

    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func parse(_ text: String) throws(Error) -> Value {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(Error) -> Value {
        var scanner = Scanner(bytes)
        let value = try scanner.value()
        scanner.skipSpace()
        guard scanner.atEnd else { throw Error(message: "trailing characters") }
        return value
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var depth = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index >= bytes.count }
        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Error) {
            skipSpace()
            guard current == byte else { throw Error(message: "expected \(what)") }
            index += 1
        }

        mutating func value() throws(Error) -> Value {
            skipSpace()
            guard let byte = current else { throw Error(message: "unexpected end") }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                guard depth < JSONParser.maxDepth else { throw Error(message: "nested more than \(JSONParser.maxDepth) levels deep") }
                depth += 1
            }
            defer { if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth -= 1 } }
            switch byte {
            case UInt8(ascii: "{"):
                index += 1
                var dict = OrderedDictionary<String, Value>()
                skipSpace()
                if current == UInt8(ascii: "}") { index += 1; return .dict(dict) }
                while true {
                    skipSpace()
                    guard current == UInt8(ascii: "\"") else { throw Error(message: "object keys must be strings") }
                    let key = try string()
                    try expect(UInt8(ascii: ":"), "':'")
                    dict[key] = try value()
                    skipSpace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "}"), "'}'")
                    return .dict(dict)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [Value] = []
                skipSpace()
                if current == UInt8(ascii: "]") { index += 1; return .list(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "]"), "']'")
                    return .list(items)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            default:
                let start = index
                while let byte = current, !",]} \t\n\r".utf8.contains(byte) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                default:
                    if let number = Int(word) { return .int(number) }
                    if let number = Double(word) { return .double(number) }
                    throw Error(message: "unexpected '\(word)'")
                }
            }
        }

        /// A string literal, its escapes decoded (`\uD83D\uDE00` pairs included).
        mutating func string() throws(Error) -> String {
            index += 1
            var output: [UInt8] = []
            while let byte = current, byte != UInt8(ascii: "\"") {
                index += 1
                guard byte == UInt8(ascii: "\\") else { output.append(byte); continue }
                guard let escape = current else { break }
                index += 1
                switch escape {
                case UInt8(ascii: "n"): output.append(0x0a)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "r"): output.append(0x0d)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0c)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), current == UInt8(ascii: "\\"), bytes.count > index + 1, bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    output += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                default: output.append(escape)
                }
            }
            guard current == UInt8(ascii: "\"") else { throw Error(message: "unterminated string") }
            index += 1
            return String(decoding: output, as: UTF8.self)
        }

        mutating func hex4() throws(Error) -> UInt32 {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw Error(message: "invalid \\u escape")
            }
            index += 4
            return value
        }
    }
}
