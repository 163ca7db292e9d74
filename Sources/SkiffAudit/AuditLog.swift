import OrderedCollections
import SkiffCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The append-only audit log: one JSON object per line, each carrying its sequence number, `prev` (the
/// SHA-256 of the previous line's exact bytes) and, last, `mac` (an HMAC of the record under the log's
/// key), so that any edit, deletion, reordering or insertion breaks the chain and no record can be forged
/// without the key (`AuditVerifier`). Beside it, `LOG.head` holds the last record's number and hash with
/// a MAC (a change to the last line, or its removal, shows there) and `LOG.key` the key.
///
/// Records are written whole, in one `write` on an `O_APPEND` descriptor under an exclusive `flock` — runs
/// sharing the log interleave whole records — and are `fsync`ed before `append` returns. A torn last line (power lost, the
/// disk filled mid-write) is never appended to: the next writer ends it with a newline and records
/// `recovered` (offset, size, hash and text of the torn bytes, and the record the head named), chaining
/// on from the last whole record. A head that does not match the log's end is recorded (`head_mismatch`)
/// before the next record, so that rewriting the head cannot hide what was there.
public final class AuditLog: Sendable {
    public static let genesis = String(repeating: "0", count: 64)

    public let path: String
    public let key: AuditKey
    private let fd: Int32
    private let headFD: Int32
    /// The end of the file as this process last wrote it, and its last record: when the file is still that
    /// size under the lock, no one else wrote, and the tail need not be read again.
    private let last = Mutex<(size: Int64, seq: Int, hash: String)?>(nil)

    /// Opens (creating) the log, its directory (0700) and its key. Fails when any of them cannot be written.
    public init(path: String) throws(AuditError) {
        self.path = path
        let directory = FileIO.parentDirectory(path)
        guard FileIO.makeDirectories(directory, mode: 0o700) else {
            throw AuditError("cannot create the audit log's directory \(directory): \(FileIO.errorText())")
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditError("cannot open the audit log \(path) for writing: \(FileIO.errorText())") }
        let headFD = open(path + ".head", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard headFD >= 0 else {
            close(fd)
            throw AuditError("cannot open \(path).head for writing: \(FileIO.errorText())")
        }
        self.fd = fd
        self.headFD = headFD
        do {
            key = try AuditKey.loadOrCreate(forLog: path).sharingFingerprints(try AuditKey.sharedFromEnvironment())
        } catch {
            close(fd)
            close(headFD)
            throw error
        }
    }

    deinit {
        close(fd)
        close(headFD)
    }

    /// Appends one record: `seq`, `prev`, `time`, `type`, then `fields` in their order. Returns its number.
    @discardableResult
    public func append(_ type: String, _ fields: OrderedDictionary<String, Value>) throws(AuditError) -> Int {
        try append([(type, fields)])
    }

    /// Appends records in order, under one lock, in one `write` and one `fsync` (group commit: runs with
    /// many hosts produce records faster than a disk syncs them one by one). Returns the last number.
    @discardableResult
    public func append(_ records: [(type: String, fields: OrderedDictionary<String, Value>)]) throws(AuditError) -> Int {
        try last.withLock { last throws(AuditError) -> Int in
            guard flock(fd, LOCK_EX) == 0 else { throw AuditError("cannot lock the audit log \(path): \(FileIO.errorText())") }
            defer { flock(fd, LOCK_UN) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw AuditError("cannot stat the audit log \(path): \(FileIO.errorText())") }
            var seq: Int
            var hash: String
            var bytes: [UInt8] = []
            if let known = last, known.size == Int64(info.st_size) {
                (seq, hash) = (known.seq, known.hash)
            } else {
                let found = try readTail(size: Int64(info.st_size))
                (seq, hash) = (found.seq, found.hash)
                let head = readHead()
                if let torn = found.torn {
                    // End the torn line, then say what was there; the chain goes on from the last whole record.
                    var fields: OrderedDictionary<String, Value> = [
                        "torn_offset": .int(Int(torn.offset)), "torn_bytes": .int(torn.bytes.count),
                        "torn_sha256": .string(Hex.sha256(torn.bytes[...])),
                        "torn_text": .string(String(decoding: torn.bytes.prefix(Self.tornTextLimit), as: UTF8.self)),
                    ]
                    if case .head(let named) = head, named.mac == nil || named.isAuthentic(key: key) { fields["head_seq"] = .int(named.seq) }
                    let record = Self.encode(seq: seq + 1, prev: hash, type: "recovered", fields, key: key)
                    bytes = [0x0A] + record + [0x0A]
                    (seq, hash) = (seq + 1, Hex.sha256(record[...]))
                } else if let mismatch = Self.mismatch(head, seq: seq, hash: hash, key: key) {
                    let record = Self.encode(seq: seq + 1, prev: hash, type: "head_mismatch", ["reason": .string(mismatch)], key: key)
                    bytes = record + [0x0A]
                    (seq, hash) = (seq + 1, Hex.sha256(record[...]))
                }
            }
            for (type, fields) in records {
                let record = Self.encode(seq: seq + 1, prev: hash, type: type, fields, key: key)
                bytes += record + [0x0A]
                (seq, hash) = (seq + 1, Hex.sha256(record[...]))
            }
            guard FileIO.writeAll(fd, bytes), fsync(fd) == 0 else {
                throw AuditError("cannot write to the audit log \(path): \(FileIO.errorText())")
            }
            last = (Int64(info.st_size) + Int64(bytes.count), seq, hash)
            writeHead(seq: seq, hash: hash)
            return seq
        }
    }

    /// How much of a torn line `recovered` keeps as text.
    static let tornTextLimit = 4096

    static func encode(seq: Int, prev: String, type: String, _ fields: OrderedDictionary<String, Value>, key: AuditKey) -> [UInt8] {
        record(seq: seq, prev: prev, type: type, fields, key: key)
    }

    /// One record's bytes, as every audit log writes them: `seq`, `prev`, `time`, `type`, the fields, and
    /// (with a key) the record's MAC last.
    public static func record(seq: Int, prev: String, type: String, _ fields: OrderedDictionary<String, Value>, key: AuditKey?) -> [UInt8] {
        // A record copied from another log (`audit push`) keeps the time it was first written.
        let time = fields["time"]?.stringValue ?? AuditTime.now()
        var record: OrderedDictionary<String, Value> = [
            "seq": .int(seq), "prev": .string(prev), "time": .string(time), "type": .string(type),
        ]
        for (name, value) in fields where record[name] == nil && name != "mac" { record[name] = value }
        let bytes = Array(Value.dict(record).json.utf8)
        return key.map { AuditRecord.sealed(bytes, key: $0) } ?? bytes
    }

    /// `SEQ HASH MAC` of the last record, rewritten in place (not fsynced: after a crash it may lag behind
    /// the log, which `verify` tells apart from tampering by the records' MACs).
    private func writeHead(seq: Int, hash: String) {
        let text = Array(AuditHead.signed(seq: seq, hash: hash, key: key).text.utf8)
        _ = text.withUnsafeBytes { pwrite(headFD, $0.baseAddress, $0.count, 0) }
        _ = ftruncate(headFD, off_t(text.count))
    }

    private func readHead() -> AuditHead.Reading {
        var info = stat()
        guard fstat(headFD, &info) == 0 else { return .missing }
        return AuditHead.parse(FileIO.read(headFD, at: 0, count: Int(info.st_size)))
    }

    /// Why the head does not fit a log that ends (whole) at record `seq` with chain hash `hash`, if it does
    /// not. A head behind the log is no mismatch (a crash between writing the log and the head).
    static func mismatch(_ head: AuditHead.Reading, seq: Int, hash: String, key: AuditKey) -> String? {
        switch head {
        case .missing, .empty:
            return seq == 0 ? nil : "the head was empty or missing while the log ended at record \(seq)"
        case .garbled(let text):
            return "the head was garbled (\(text)) while the log ended at record \(seq)"
        case .head(let named):
            if named.mac != nil && !named.isAuthentic(key: key) { return "the head's MAC did not match (head: record \(named.seq))" }
            if named.seq > seq { return "the head named record \(named.seq), but the log ended at record \(seq): records were removed from the end" }
            if named.seq == seq && named.hash != hash { return "the head's hash of record \(seq) did not match the log's last record" }
            return nil
        }
    }

    /// The last whole record's number and hash, and the torn bytes after it, if any.
    private func readTail(size: Int64) throws(AuditError) -> (seq: Int, hash: String, torn: (offset: Int64, bytes: [UInt8])?) {
        guard size > 0 else { return (0, Self.genesis, nil) }
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { throw AuditError("cannot read the audit log \(path): \(FileIO.errorText())") }
        defer { close(reader) }
        // Read backwards in growing windows until the last two newlines (or the start) are inside.
        var window: Int64 = 64 * 1024
        while true {
            let start = max(0, size - window)
            let chunk = FileIO.read(reader, at: off_t(start), count: Int(size - start))
            var torn: (Int64, [UInt8])?
            var end = chunk.count
            if chunk.last != 0x0A {
                guard let newline = chunk.lastIndex(of: 0x0A) else {
                    if start == 0 { return (0, Self.genesis, (0, chunk)) }
                    window *= 4
                    continue
                }
                torn = (start + Int64(newline + 1), Array(chunk[(newline + 1)...]))
                end = newline + 1
            }
            // chunk[..<end] ends with "\n": the last whole line is between the newline before it and it.
            let body = chunk[..<(end - 1)]
            if let previous = body.lastIndex(of: 0x0A) {
                let line = chunk[(previous + 1)..<(end - 1)]
                return (AuditRecord.sequence(in: line) ?? 0, Hex.sha256(line), torn)
            }
            if start == 0 {
                return (AuditRecord.sequence(in: body) ?? 0, Hex.sha256(body), torn)
            }
            window *= 4
        }
    }
}
