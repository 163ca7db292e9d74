import CLibPQ
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import OrderedCollections
import SkiffAudit
import SkiffCore

/// The shared audit store (`--audit-url postgresql://…`): one history for every controller of a fleet —
/// parallel CI jobs, throwaway runners. The records are those of the file, one table row each
/// (`skiff_audit`: seq, run, type, and the record's JSON line), in one chain for the whole store. A batch
/// is appended in one transaction that first locks the chain's head row (`skiff_audit_head`, `FOR
/// UPDATE`), so concurrent writers take turns and never fork the chain. With the fleet's shared key
/// (`SKIFF_AUDIT_KEY`) records carry a MAC, as in the file; without one they are chained only.
public final class PostgresAuditStore: AuditSink, @unchecked Sendable {
    /// The libpq connection, used by one thread at a time (`lock`).
    private let pg: OpaquePointer
    private let lock = ThreadLock()
    private let key: AuditKey?
    /// Where it is, without the password (for messages).
    public let location: String

    /// Connects and creates the tables when they are missing. Throws when the store cannot be reached.
    public init(url: String, key: AuditKey?) throws(AuditError) {
        self.key = key
        location = Self.redacted(url)
        if let failure = skiff_pq_load() {
            throw AuditError("the audit store \(location) needs PostgreSQL's client library libpq (Debian: libpq5): \(String(cString: failure))")
        }
        guard let pg = skiff_pq_connectdb(url) else { throw AuditError("cannot connect to the audit store \(location)") }
        guard skiff_pq_status(pg) == CONNECTION_OK else {
            let message = Self.message(pg)
            skiff_pq_finish(pg)
            throw AuditError("cannot connect to the audit store \(location): \(message)")
        }
        self.pg = pg
        // Notices (`… already exists, skipping`) are not for the run's output.
        skiff_pq_setNoticeProcessor(pg, { _, _ in }, nil)
        try withConnection { pg throws(AuditError) in
            // Several controllers may create the tables at once: one at a time.
            try Self.exec(pg, "SELECT pg_advisory_lock(7262474)")
            defer { _ = try? Self.exec(pg, "SELECT pg_advisory_unlock(7262474)") }
            try Self.exec(pg, """
                CREATE TABLE IF NOT EXISTS skiff_audit_head (id int PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, hash text NOT NULL);
                INSERT INTO skiff_audit_head VALUES (1, 0, '\(AuditLog.genesis)') ON CONFLICT (id) DO NOTHING;
                CREATE TABLE IF NOT EXISTS skiff_audit (seq bigint PRIMARY KEY, run text, type text NOT NULL, line text NOT NULL);
                CREATE INDEX IF NOT EXISTS skiff_audit_run ON skiff_audit (run);
                CREATE INDEX IF NOT EXISTS skiff_audit_type ON skiff_audit (type, seq);
                """)
        }
    }

    deinit {
        skiff_pq_finish(pg)
    }

    public func append(_ records: [(type: String, fields: OrderedDictionary<String, Value>)]) throws(AuditError) {
        guard !records.isEmpty else { return }
        _ = try appendChained(records, unlessRun: nil)
    }

    /// Appends one run's records copied from a controller's log (`audit push`), unless the store already
    /// holds records of that run: false then. Checked with the chain's head locked, so two pushes of the
    /// same log at once store the run once.
    public func appendRun(_ run: String, _ records: [(type: String, fields: OrderedDictionary<String, Value>)]) throws(AuditError) -> Bool {
        try appendChained(records, unlessRun: run)
    }

    private func appendChained(_ records: [(type: String, fields: OrderedDictionary<String, Value>)], unlessRun run: String?) throws(AuditError) -> Bool {
        try withConnection { pg throws(AuditError) in
            try Self.exec(pg, "BEGIN")
            do throws(AuditError) {
                let head = try Self.query(pg, "SELECT seq, hash FROM skiff_audit_head WHERE id = 1 FOR UPDATE")
                guard let row = head.first, row.count == 2, var seq = Int(row[0]) else { throw AuditError("the audit store \(location) has no head row") }
                if let run, !(try Self.query(pg, "SELECT 1 FROM skiff_audit WHERE run = $1 LIMIT 1", [run])).isEmpty {
                    try Self.exec(pg, "ROLLBACK")
                    return false
                }
                var hash = row[1]
                var values: [String] = []
                var parameters: [String] = []
                for (type, fields) in records {
                    let line = AuditLog.record(seq: seq + 1, prev: hash, type: type, fields, key: key)
                    seq += 1
                    hash = Hex.sha256(line[...])
                    let base = parameters.count
                    values.append("($\(base + 1)::bigint, $\(base + 2), $\(base + 3), $\(base + 4))")
                    parameters += [String(seq), fields["run"]?.text ?? "", type, String(decoding: line, as: UTF8.self)]
                }
                if !values.isEmpty {
                    try Self.exec(pg, "INSERT INTO skiff_audit (seq, run, type, line) VALUES " + values.joined(separator: ", "), parameters)
                    try Self.exec(pg, "UPDATE skiff_audit_head SET seq = $1::bigint, hash = $2 WHERE id = 1", [String(seq), hash])
                }
                try Self.exec(pg, "COMMIT")
                return true
            } catch {
                _ = try? Self.exec(pg, "ROLLBACK")
                throw error
            }
        }
    }

    /// Every record, in order, as the lines of a log (only those of `types` when given: a history needs
    /// a few of a run's records); and the head row (the last record's number and hash).
    public func read(types: Set<String>? = nil) throws(AuditError) -> (lines: [UInt8], head: (seq: Int, hash: String)) {
        try withConnection { pg throws(AuditError) in
            try Self.exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ")
            defer { _ = try? Self.exec(pg, "COMMIT") }
            let head = try Self.query(pg, "SELECT seq, hash FROM skiff_audit_head WHERE id = 1")
            let rows: [[String]]
            if let types {
                // Record types are identifiers (`run_started`): no quoting needed in the array literal.
                rows = try Self.query(pg, "SELECT line FROM skiff_audit WHERE type = ANY($1::text[]) ORDER BY seq", ["{" + types.sorted().joined(separator: ",") + "}"])
            } else {
                rows = try Self.query(pg, "SELECT line FROM skiff_audit ORDER BY seq")
            }
            var bytes: [UInt8] = []
            for row in rows {
                bytes += Array(row[0].utf8)
                bytes.append(0x0A)
            }
            return (bytes, (Int(head.first?[0] ?? "0") ?? 0, head.first?[1] ?? AuditLog.genesis))
        }
    }

    private func withConnection<T>(_ body: (OpaquePointer) throws(AuditError) -> T) throws(AuditError) -> T {
        lock.lock()
        defer { lock.unlock() }
        if skiff_pq_status(pg) != CONNECTION_OK {
            skiff_pq_reset(pg)
            guard skiff_pq_status(pg) == CONNECTION_OK else { throw AuditError("lost the audit store \(location): \(Self.message(pg))") }
        }
        return try body(pg)
    }

    @discardableResult
    private static func exec(_ pg: OpaquePointer, _ sql: String, _ parameters: [String] = []) throws(AuditError) -> [[String]] {
        try query(pg, sql, parameters)
    }

    /// Runs a statement with text parameters (never spliced into the SQL) and returns its rows as text.
    private static func query(_ pg: OpaquePointer, _ sql: String, _ parameters: [String] = []) throws(AuditError) -> [[String]] {
        let copies = parameters.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        // Without parameters, several statements may go at once (the schema); with them, one.
        let sent = parameters.isEmpty ? skiff_pq_exec(pg, sql) : pointers.withUnsafeBufferPointer { buffer in
            skiff_pq_execParams(pg, sql, Int32(parameters.count), buffer.baseAddress)
        }
        guard let result = sent else { throw AuditError("the audit store failed: \(message(pg))") }
        defer { skiff_pq_clear(result) }
        let status = skiff_pq_resultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw AuditError("the audit store failed: \(String(cString: skiff_pq_resultErrorMessage(result)).trimmingCharacters(in: " \n"))")
        }
        var rows: [[String]] = []
        for row in 0..<skiff_pq_ntuples(result) {
            rows.append((0..<skiff_pq_nfields(result)).map { String(cString: skiff_pq_getvalue(result, row, $0)) })
        }
        return rows
    }

    private static func message(_ pg: OpaquePointer) -> String {
        String(cString: skiff_pq_errorMessage(pg)).trimmingCharacters(in: " \n")
    }

    /// The URL without its password (`postgresql://user:secret@host/db` → `postgresql://user@host/db`).
    static func redacted(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + String(url[at...])
    }
}
