import SkiffCore

/// Walks an audit log's chain: every record's `seq` is one more than the last, and its `prev` is the
/// SHA-256 of the previous record's bytes. Reports the first broken link with its line number, a torn
/// tail (bytes after the last newline: an interrupted write), and whether the last record is the one the
/// writer recorded in `LOG.head`. A torn line that a later writer closed and answered with a `recovered`
/// record is part of a valid history.
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
        public var recovered = 0

        public var isIntact: Bool { broken == nil && tornTail == nil }
    }

    public static func verify(path: String) -> Report {
        var report = Report(path: path)
        guard let bytes = FileContents.read(path) else {
            report.broken = (0, "cannot read \(path)")
            return report
        }
        let (records, tail) = AuditRecord.split(bytes)
        var lastHash = AuditLog.genesis
        var lastSeq = 0
        var lastLine = 0
        var torn: AuditRecord?
        for record in records {
            guard let seq = record.seq, let prev = record.prev, record.bytes.last == UInt8(ascii: "}") else {
                if torn != nil {
                    report.broken = (record.line, "line \(record.line) is not an audit record")
                    return report
                }
                torn = record
                continue
            }
            if let line = torn {
                let answered = record.type == "recovered"
                    && record.fields["torn_sha256"]?.text == Hex.sha256(line.bytes)
                guard answered else {
                    report.broken = (line.line, "line \(line.line) is not an audit record (changed, or a torn write nobody recovered)")
                    return report
                }
                report.recovered += 1
                torn = nil
            }
            guard seq == lastSeq + 1 else {
                let reason = seq <= lastSeq
                    ? "record \(seq) comes after record \(lastSeq): records were reordered or copied"
                    : "record \(seq) follows record \(lastSeq): \(seq - lastSeq - 1) record(s) missing"
                report.broken = (record.line, "line \(record.line): \(reason)")
                return report
            }
            guard prev == lastHash else {
                let reason = lastLine == 0
                    ? "the first record does not start the chain: records before it were removed"
                    : "its prev does not match line \(lastLine): that record was changed, or records between them were removed or inserted"
                report.broken = (record.line, "line \(record.line): \(reason)")
                return report
            }
            lastHash = Hex.sha256(record.bytes)
            lastSeq = seq
            lastLine = record.line
            report.records += 1
            report.lastLine = record.line
        }
        if let line = torn {
            report.broken = (line.line, "line \(line.line) is not an audit record")
            return report
        }
        if let tail {
            report.tornTail = (records.count + 1, tail.count)
        }
        if let head = FileContents.read(path + ".head") {
            let words = String(decoding: head, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            if words.count == 2, let headSeq = Int(words[0]) {
                // A torn last line may be the record the head names (its write was cut short after the fact).
                if headSeq > lastSeq + (report.tornTail == nil ? 0 : 1) {
                    report.broken = (lastLine, "the log ends at record \(lastSeq), but record \(headSeq) was written (\(path).head): records were removed from the end")
                } else if headSeq == lastSeq && String(words[1]) != lastHash {
                    report.broken = (lastLine, "line \(lastLine): the last record differs from the one written (\(path).head)")
                }
            }
        }
        return report
    }
}
