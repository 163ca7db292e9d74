import SkiffCore

/// Walks an audit log's chain: every record's `seq` is one more than the last, its `prev` is the SHA-256
/// of the previous record's bytes, and its `mac` is the HMAC of the record under the log's key (`LOG.key`),
/// so that a record cannot be forged, even correctly chained, without the key. Reports the first broken
/// link with its line number, a torn tail (bytes after the last newline: an interrupted write), and
/// whether the log ends where `LOG.head` says (a missing, empty, garbled or forged head is a failure; a
/// head behind the log, with keyed records after it, is a crash between the two writes and only noted).
///
/// A torn line that a later writer closed and answered with a `recovered` record is part of a valid
/// history and stays listed; but when that writer found the head naming a record that the torn bytes
/// replaced (a whole record that was cut down, not an interrupted write), the log is broken. Records
/// written before records were keyed (by older versions) are valid links, and counted as unkeyed.
public enum AuditVerifier {
    public struct Report: Sendable {
        public var path: String
        /// Whole records whose links hold.
        public var records = 0
        public var lastLine = 0
        /// The first broken link: its line and what is wrong.
        public var broken: (line: Int, reason: String)?
        /// An unfinished last line: where it starts and how many bytes it has.
        public var tornTail: (line: Int, bytes: Int)?
        /// Torn lines that later writers recovered from.
        public var recoveries: [Recovery] = []
        /// Records without a MAC (written by a version that did not key records): their links hold, but
        /// anyone able to write the log could have written them.
        public var unkeyed = 0
        /// The line of the last record without a MAC: they are the records on lines 1 to it (a record
        /// without a MAC after one with a MAC breaks the log).
        public var lastUnkeyedLine = 0
        /// The head names an earlier record than the log's last (keyed) one.
        public var headLag: (head: Int, last: Int)?

        public var recovered: Int { recoveries.count }
        public var isIntact: Bool { broken == nil && tornTail == nil }
    }

    /// A torn line a later run closed and recorded.
    public struct Recovery: Sendable {
        /// The torn line and its size.
        public var line: Int
        public var bytes: Int
        /// The line of the `recovered` record.
        public var recordLine: Int
    }

    public static func verify(path: String) -> Report {
        guard let bytes = FileContents.read(path) else {
            var report = Report(path: path)
            report.broken = (0, "cannot read \(path)")
            return report
        }
        // Needed only for keyed records (an older log verifies without it).
        return walk(bytes, path: path, key: try? AuditKey.load(forLog: path), head: AuditHead.read(path: path + ".head"))
    }

    /// Verifies a log's bytes already read (`audit push` verifies exactly what it copies), with the log's
    /// key and head.
    public static func verify(bytes: [UInt8], path: String) -> Report {
        walk(bytes, path: path, key: try? AuditKey.load(forLog: path), head: AuditHead.read(path: path + ".head"))
    }

    /// Verifies a host's own log (`--audit-remote`), read over SSH: its chain of `seq` and `prev`. A host
    /// log has no key and no head (a host cannot hold the controller's key), so it shows edits,
    /// deletions and reorderings inside the log, not a rewrite of it by the host's root.
    public static func verify(hostLog bytes: [UInt8], name: String) -> Report {
        walk(bytes, path: name, key: nil, head: nil)
    }

    /// Verifies the shared store's records (read in order) against its head row: the chain, the MACs
    /// when records carry them (the fleet's shared key), and that the chain ends where the head says.
    public static func verify(store bytes: [UInt8], name: String, key: AuditKey?, head: (seq: Int, hash: String)) -> Report {
        var report = walk(bytes, path: name, key: key, head: nil)
        guard report.broken == nil else { return report }
        let records = AuditRecord.split(bytes).records
        let lastSeq = records.last?.seq ?? 0
        let lastHash = records.last.map { Hex.sha256($0.bytes) } ?? AuditLog.genesis
        if head.seq != lastSeq || head.hash != lastHash {
            report.broken = (report.lastLine, "the store's head names record \(head.seq), but its records end at \(lastSeq)"
                             + (head.seq == lastSeq ? " with another hash: the last record was changed" : ": records were removed or added outside a run"))
        }
        return report
    }

    /// - Parameter head: the head beside the log; nil for a log that keeps none.
    private static func walk(_ bytes: [UInt8], path: String, key: AuditKey?, head: AuditHead.Reading?) -> Report {
        var report = Report(path: path)
        var chain = Chain(key: key, keyPath: AuditKey.path(forLog: path), head: head ?? .missing)
        let (records, tail) = AuditRecord.split(bytes)
        var torn: AuditRecord?
        for record in records {
            guard record.seq != nil, record.prev != nil, record.bytes.last == UInt8(ascii: "}") else {
                if torn != nil {
                    report.broken = (record.line, "line \(record.line) is not an audit record")
                    return report
                }
                torn = record
                continue
            }
            if let line = torn {
                guard record.type == "recovered", record.fields["torn_sha256"]?.text == Hex.sha256(line.bytes) else {
                    report.broken = (line.line, "line \(line.line) is not an audit record (changed, or a torn write nobody recovered)")
                    return report
                }
                if let named = record.fields["head_seq"]?.intValue, named > chain.lastSeq {
                    report.broken = (line.line, "line \(line.line): record \(named) had been written whole (\(path).head named it), "
                                     + "but only \(line.bytes.count) bytes of it are left; the run that wrote line \(record.line) recovered past it")
                    return report
                }
                report.recoveries.append(Recovery(line: line.line, bytes: line.bytes.count, recordLine: record.line))
                torn = nil
            }
            if let reason = chain.link(record) {
                report.broken = (record.line, "line \(record.line): \(reason)")
                return report
            }
            if record.type == "head_mismatch" {
                report.broken = (record.line, "line \(record.line): a run found the head not matching the log: \(record.fields["reason"]?.text ?? "?")")
                return report
            }
            report.records += 1
            report.lastLine = record.line
        }
        report.unkeyed = chain.unkeyed
        report.lastUnkeyedLine = chain.lastUnkeyedLine
        if let line = torn {
            report.broken = (line.line, "line \(line.line) is not an audit record")
            return report
        }
        if let tail {
            report.tornTail = (records.count + 1, tail.count)
        }
        guard head != nil else { return report }
        switch chain.checkHead(path: path) {
        case .success(let lag): report.headLag = lag
        case .failure(let problem): report.broken = (report.lastLine, problem.reason)
        }
        return report
    }
}

/// The state of a walk along the chain: what the next record must link to, and what the head said.
private struct Chain {
    struct Problem: Error { var reason: String }

    let key: AuditKey?
    let keyPath: String
    let head: AuditHead.Reading
    var lastHash = AuditLog.genesis
    var lastSeq = 0
    var lastLine = 0
    var unkeyed = 0
    var lastUnkeyedLine = 0
    var keyedSince: Int?
    /// The chain hash of the record the head names, and whether a record after it has no MAC.
    var hashAtHead: String?
    var unkeyedAfterHead = false

    init(key: AuditKey?, keyPath: String, head: AuditHead.Reading) {
        self.key = key
        self.keyPath = keyPath
        self.head = head
    }

    /// Checks the record against the chain and advances it; returns what is wrong, if anything.
    mutating func link(_ record: AuditRecord) -> String? {
        guard let seq = record.seq, let prev = record.prev else { return "not an audit record" }
        guard seq == lastSeq + 1 else {
            return seq <= lastSeq
                ? "record \(seq) comes after record \(lastSeq): records were reordered or copied"
                : "record \(seq) follows record \(lastSeq): \(seq - lastSeq - 1) record(s) missing"
        }
        guard prev == lastHash else {
            return lastLine == 0
                ? "the first record does not start the chain: records before it were removed"
                : "its prev does not match line \(lastLine): that record was changed, or records between them were removed or inserted"
        }
        if let sealed = record.mac {
            guard let key else { return "the record carries a MAC, but the log's key \(keyPath) is missing or unreadable, so no record can be checked" }
            guard key.chainMAC(sealed.covered) == sealed.mac else {
                return "its MAC does not match: the record was changed, or written without the log's key"
            }
            if keyedSince == nil { keyedSince = record.line }
        } else {
            if let since = keyedSince {
                return "the record has no MAC, but the records since line \(since) have: it was written without the log's key"
            }
            unkeyed += 1
            lastUnkeyedLine = record.line
            if case .head(let named) = head, seq > named.seq { unkeyedAfterHead = true }
        }
        lastHash = Hex.sha256(record.bytes)
        lastSeq = seq
        lastLine = record.line
        if case .head(let named) = head, named.seq == seq { hashAtHead = lastHash }
        return nil
    }

    /// Whether the log ends where the head says: the head's lag (records after it), or the problem.
    func checkHead(path: String) -> Result<(head: Int, last: Int)?, Problem> {
        let headPath = path + ".head"
        switch head {
        case .missing, .empty:
            guard lastSeq == 0 else {
                return .failure(Problem(reason: "\(headPath) is \(head == .missing ? "missing" : "empty"): whether records were removed from the end cannot be checked"))
            }
            return .success(nil)
        case .garbled(let text):
            return .failure(Problem(reason: "\(headPath) is garbled (\(text)): whether records were removed from the end cannot be checked"))
        case .head(let named):
            if named.mac == nil {
                if keyedSince != nil { return .failure(Problem(reason: "\(headPath) has no MAC, but the log's records have: it was written without the log's key")) }
            } else if let key {
                guard named.isAuthentic(key: key) else { return .failure(Problem(reason: "\(headPath) was changed: its MAC does not match")) }
            } else {
                return .failure(Problem(reason: "\(headPath) carries a MAC, but the log's key \(keyPath) is missing or unreadable"))
            }
            if named.seq > lastSeq {
                return .failure(Problem(reason: "the log ends at record \(lastSeq), but record \(named.seq) was written (\(headPath)): records were removed from the end"))
            }
            if named.seq == lastSeq {
                return named.hash == lastHash || lastSeq == 0 ? .success(nil)
                    : .failure(Problem(reason: "line \(lastLine): the last record differs from the one written (\(headPath))"))
            }
            if hashAtHead != named.hash {
                return .failure(Problem(reason: "record \(named.seq) differs from the one \(headPath) names"))
            }
            if unkeyedAfterHead {
                return .failure(Problem(reason: "records \(named.seq + 1)–\(lastSeq) were appended after \(headPath) was last written and carry no MAC"))
            }
            return .success((named.seq, lastSeq))
        }
    }
}
