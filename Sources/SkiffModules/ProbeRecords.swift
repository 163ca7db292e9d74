/// The output of a module's probe script that prints files as records: header lines, each ended by a
/// newline, then a line with a byte count and that many bytes of content (apt_key's keyrings,
/// apt_repository's sources files). Reading never traps on malformed output: it answers nil.
struct ProbeRecords {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    /// The next line, without its newline; nil when no full line is left.
    mutating func line() -> String? {
        guard index < bytes.count, let end = bytes[index...].firstIndex(of: 0x0A) else { return nil }
        defer { index = end + 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    /// A line holding a byte count, then that many bytes; nil when the count is not a number or runs past the end.
    mutating func content() -> ArraySlice<UInt8>? {
        guard let sizeText = line(), let size = Int(sizeText), size >= 0, size <= bytes.count - index else { return nil }
        defer { index += size }
        return bytes[index..<(index + size)]
    }
}
