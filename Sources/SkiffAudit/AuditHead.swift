import SkiffCore

/// `LOG.head`: the number and chain hash of the last record written, and a MAC over both, so that the end
/// of the log cannot be moved back (records removed from the end, or the last one replaced) without the
/// log's key. Heads written by older versions have no MAC.
public struct AuditHead: Sendable, Equatable {
    public var seq: Int
    public var hash: String
    /// nil: written without a MAC (by an older version).
    public var mac: String?

    /// What `LOG.head` holds.
    public enum Reading: Sendable, Equatable {
        case missing
        case empty
        /// Not `SEQ HASH [MAC]`: the text, cut short.
        case garbled(String)
        case head(AuditHead)
    }

    public static func signed(seq: Int, hash: String, key: AuditKey) -> AuditHead {
        AuditHead(seq: seq, hash: hash, mac: key.chainMAC(macInput(seq: seq, hash: hash)))
    }

    public var text: String { "\(seq) \(hash)" + (mac.map { " " + $0 } ?? "") + "\n" }

    /// Whether the MAC is the key's (false without a MAC).
    public func isAuthentic(key: AuditKey) -> Bool {
        mac == key.chainMAC(Self.macInput(seq: seq, hash: hash))
    }

    /// Distinct from every record (records start with `{`).
    static func macInput(seq: Int, hash: String) -> [UInt8] { Array("skiff audit head \(seq) \(hash)".utf8) }

    public static func read(path: String) -> Reading {
        guard let bytes = FileContents.read(path) else { return .missing }
        return parse(bytes)
    }

    public static func parse(_ bytes: [UInt8]) -> Reading {
        if bytes.isEmpty { return .empty }
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let isHex = { (word: String) in word.utf8.count == 64 && word.utf8.allSatisfy { Hex.isDigit($0) } }
        guard (2...3).contains(words.count), let seq = Int(words[0]), seq >= 0, isHex(words[1]), words.count == 2 || isHex(words[2]),
              text.hasSuffix("\n")
        else {
            return .garbled(String(text.prefix(80)))
        }
        return .head(AuditHead(seq: seq, hash: words[1], mac: words.count == 3 ? words[2] : nil))
    }
}
