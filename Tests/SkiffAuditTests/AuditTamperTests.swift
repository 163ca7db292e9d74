import Crypto
import Foundation
import OrderedCollections
import SkiffAudit
import SkiffCore
import SkiffTestSupport
import Testing

/// Tampering that a writer of the log file without its key can do, and what `verify` makes of it.
@Suite("audit tamper evidence")
struct AuditTamperTests {
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// A record chained after `previous` as anyone could write it: the right `seq` and `prev`, no key.
    static func forged(after previous: String, seq: Int, _ body: String, mac: String? = nil) -> String {
        "{\"seq\": \(seq), \"prev\": \"\(sha256(previous))\", \"time\": \"2026-01-01T00:00:00.000Z\", \"type\": \"deployed\", \(body)"
            + (mac.map { ", \"mac\": \"\($0)\"}" } ?? "}")
    }

    @Test func aMissingEmptiedOrGarbledHeadIsReported() async throws {
        let (path, _, scratch) = try await AuditLogTests.threeRuns()
        defer { withExtendedLifetime(scratch) {} }
        let head = path + ".head"
        let original = try String(contentsOfFile: head, encoding: .utf8)
        #expect(AuditVerifier.verify(path: path).isIntact)
        #expect(original.split(separator: " ").count == 3, "the head carries a MAC: \(original)")

        try FileManager.default.removeItem(atPath: head)
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("head is missing") == true)
        try "".write(toFile: head, atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("head is empty") == true)
        try "12 zz\n".write(toFile: head, atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("head is garbled") == true)
        // A head moved back to an earlier record, without the key.
        let words = original.split(separator: " ")
        try "\(Int(words[0])! - 1) \(words[1]) \(words[2])".write(toFile: head, atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("its MAC does not match") == true)
        try "\(words[0]) \(words[1])\n".write(toFile: head, atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("has no MAC") == true)
        try original.write(toFile: head, atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(path: path).isIntact)
    }

    @Test func aCorrectlyChainedRecordAppendedWithoutTheKeyIsReported() async throws {
        let (path, lines, scratch) = try await AuditLogTests.threeRuns()
        defer { withExtendedLifetime(scratch) {} }
        let last = try #require(lines.last)
        let body = #""run": "forged", "host": "web1", "project": "app", "version": "6.6.6""#
        for mac in [nil, String(repeating: "ab", count: 32)] {
            try AuditLogTests.rewrite(path, lines + [Self.forged(after: last, seq: lines.count + 1, body, mac: mac)])
            let report = AuditVerifier.verify(path: path)
            #expect(report.broken?.line == lines.count + 1, "\(String(describing: report.broken))")
            #expect(report.broken?.reason.contains(mac == nil ? "has no MAC" : "MAC does not match") == true, "\(String(describing: report.broken))")
        }
    }

    @Test func aLastRecordCutDownIsNotLaunderedAsATornWrite() async throws {
        let (path, lines, scratch) = try await AuditLogTests.threeRuns()
        defer { withExtendedLifetime(scratch) {} }
        // The last record (whole, named by the head) replaced by a few bytes.
        try (lines.dropLast().joined(separator: "\n") + "\n{\"seq").write(toFile: path, atomically: false, encoding: .utf8)
        let before = AuditVerifier.verify(path: path)
        #expect(before.broken?.reason.contains("records were removed from the end") == true, "\(String(describing: before.broken))")

        try AuditLog(path: path).append("run_started", ["run": "next"])
        let after = AuditVerifier.verify(path: path)
        #expect(after.broken?.line == lines.count, "the next run's recovery does not make it valid: \(String(describing: after.broken))")
        #expect(after.broken?.reason.contains("had been written whole") == true)
        let recovered = try Self.lines(path)[lines.count]
        #expect(recovered.contains("\"type\": \"recovered\"") && recovered.contains("\"torn_text\": \"{\\\"seq\""), "what was discarded is recorded: \(recovered)")
        #expect(recovered.contains("\"head_seq\": \(lines.count)"))
    }

    @Test func recordsRemovedFromTheEndStayReportedAfterTheNextRun() async throws {
        let (path, lines, scratch) = try await AuditLogTests.threeRuns()
        defer { withExtendedLifetime(scratch) {} }
        try AuditLogTests.rewrite(path, Array(lines.dropLast(2)))
        try AuditLog(path: path).append("run_started", ["run": "next"])
        let report = AuditVerifier.verify(path: path)
        #expect(report.broken?.line == lines.count - 1, "\(String(describing: report.broken))")
        #expect(report.broken?.reason.contains("the head not matching the log") == true)
    }

    @Test func aHeadLeftBehindByACrashIsNotedNotFailed() async throws {
        let (log, scratch) = try AuditLogTests.log()
        defer { withExtendedLifetime(scratch) {} }
        try await AuditLogTests.writeRun(log)
        let earlier = try String(contentsOfFile: log.path + ".head", encoding: .utf8)
        try await AuditLogTests.writeRun(log)
        // The writer stopped after syncing its records and before writing the head.
        try earlier.write(toFile: log.path + ".head", atomically: false, encoding: .utf8)
        let report = AuditVerifier.verify(path: log.path)
        #expect(report.isIntact, "\(String(describing: report.broken))")
        #expect(report.headLag?.head == 5 && report.headLag?.last == 10)
    }

    @Test func anOlderUnkeyedLogStaysValidAndIsKeyedFromTheNextRecordOn() throws {
        let directory = try ScratchDirectory("audit")
        let path = directory.file("audit.jsonl")
        var lines: [String] = []
        var previous = String(repeating: "0", count: 64)
        for seq in 1...3 {
            let line = "{\"seq\": \(seq), \"prev\": \"\(previous)\", \"time\": \"2025-01-01T00:00:00.000Z\", \"type\": \"run_started\", \"run\": \"r\(seq)\"}"
            lines.append(line)
            previous = Self.sha256(line)
        }
        try AuditLogTests.rewrite(path, lines)
        try "3 \(previous)\n".write(toFile: path + ".head", atomically: false, encoding: .utf8)
        let legacy = AuditVerifier.verify(path: path)
        #expect(legacy.isIntact && legacy.unkeyed == 3, "\(String(describing: legacy.broken))")

        try AuditLog(path: path).append("run_started", ["run": "new"])
        let upgraded = AuditVerifier.verify(path: path)
        #expect(upgraded.isIntact && upgraded.records == 4 && upgraded.unkeyed == 3, "\(String(describing: upgraded.broken))")
        #expect(upgraded.lastUnkeyedLine == 3, "the unkeyed records are lines 1–3")
        let all = try Self.lines(path)
        #expect(all[3].contains("\"mac\": \""))

        // An unkeyed record after keyed ones, with a head to match (as an older writer would write it).
        let forged = Self.forged(after: all[3], seq: 5, #""run": "forged", "host": "web1", "project": "app", "version": "6.6.6""#)
        try AuditLogTests.rewrite(path, all + [forged])
        try "5 \(Self.sha256(forged))\n".write(toFile: path + ".head", atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("has no MAC") == true)
    }
}
