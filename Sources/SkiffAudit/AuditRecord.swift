import OrderedCollections
import SkiffCore

/// One line of an audit log, read back. The fixed head of every record (`{"seq": N, "prev": "…",
/// "time": "…", "type": "…"`) is read without parsing the rest, so that scanning a large log for a few
/// record types stays fast; `fields` parses the whole line.
public struct AuditRecord: Sendable {
    /// 1-based line number in its file.
    public let line: Int
    public let bytes: ArraySlice<UInt8>

    public var seq: Int? { Self.sequence(in: bytes) }
    public var type: String? { Self.string(after: Self.typeKey, in: bytes) }
    public var time: String? { Self.string(after: Self.timeKey, in: bytes) }
    public var prev: String? { Self.string(after: Self.prevKey, in: bytes) }

    /// The record's MAC (its last field, `"mac": HEX`) and the bytes it covers: the record without it.
    /// Nil for records written before records were keyed.
    public var mac: (covered: [UInt8], mac: String)? {
        let suffix = Self.macKey.count + 64 + 2
        guard bytes.count > suffix + 1, bytes.last == UInt8(ascii: "}") else { return nil }
        let start = bytes.endIndex - suffix
        guard bytes[start..<(start + Self.macKey.count)].elementsEqual(Self.macKey),
              bytes[bytes.endIndex - 2] == UInt8(ascii: "\"") else { return nil }
        let hex = bytes[(start + Self.macKey.count)..<(bytes.endIndex - 2)]
        guard hex.allSatisfy(Hex.isDigit) else { return nil }
        return (Array(bytes[..<start]) + [UInt8(ascii: "}")], String(decoding: hex, as: UTF8.self))
    }

    /// A record's bytes with its MAC as the last field.
    static func sealed(_ record: [UInt8], key: AuditKey) -> [UInt8] {
        let mac = key.chainMAC(record)
        return record.dropLast() + macKey + Array(mac.utf8) + Array("\"}".utf8)
    }

    public var fields: OrderedDictionary<String, Value> {
        (try? JSONParser.parse(Array(bytes)))?.dictValue ?? [:]
    }

    public init(line: Int, bytes: ArraySlice<UInt8>) {
        self.line = line
        self.bytes = bytes
    }

    static let seqKey = Array(#"{"seq": "#.utf8)
    static let prevKey = Array(#""prev": ""#.utf8)
    static let timeKey = Array(#""time": ""#.utf8)
    static let typeKey = Array(#""type": ""#.utf8)
    static let macKey = Array(#", "mac": ""#.utf8)

    static func sequence(in line: ArraySlice<UInt8>) -> Int? {
        guard line.starts(with: seqKey) else { return nil }
        var value = 0
        var index = line.startIndex + seqKey.count
        var any = false
        while index < line.endIndex, let digit = line[index].asciiDigit {
            value = value * 10 + digit
            index += 1
            any = true
        }
        return any ? value : nil
    }

    /// The string after `key` within the record's head (the first 256 bytes); escapes are not expected there.
    static func string(after key: [UInt8], in line: ArraySlice<UInt8>) -> String? {
        let head = line.prefix(256)
        guard let start = offset(of: key, in: head) else { return nil }
        guard let end = head[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: head[start..<end], as: UTF8.self)
    }

    /// Where `needle` ends in `haystack` (the index after its last byte), or nil. A plain byte loop: the
    /// generic collection search costs allocations per call, and the history reads every record's head.
    public static func offset(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin -> Int? in
                let first = pin[0]
                var index = 0
                let last = hay.count - pin.count
                while index <= last {
                    if hay[index] == first {
                        var matched = 1
                        while matched < pin.count && hay[index + matched] == pin[matched] { matched += 1 }
                        if matched == pin.count { return haystack.startIndex + index + pin.count }
                    }
                    index += 1
                }
                return nil
            }
        }
    }

    /// The records of a file's bytes, one per line; `tornTail` holds bytes after the last newline.
    public static func split(_ bytes: [UInt8]) -> (records: [AuditRecord], tornTail: ArraySlice<UInt8>?) {
        var records: [AuditRecord] = []
        var start = 0
        var number = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                return (records, bytes[start...])
            }
            number += 1
            records.append(AuditRecord(line: number, bytes: bytes[start..<newline]))
            start = newline + 1
        }
        return (records, nil)
    }
}

extension UInt8 {
    var asciiDigit: Int? { self >= 0x30 && self <= 0x39 ? Int(self - 0x30) : nil }
}
