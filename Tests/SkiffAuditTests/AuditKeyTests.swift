import Foundation
import SkiffAudit
import SkiffTestSupport
import Synchronization
import Testing

/// The log's fingerprint key: one key per log, whoever creates it, and never a partial one.
@Suite("audit key")
struct AuditKeyTests {
    /// Runs `body` on `count` threads that start it at the same moment; returns each one's result.
    static func atOnce(_ count: Int, _ body: @escaping @Sendable () throws(AuditError) -> String) -> [Result<String, AuditError>] {
        let ready = Atomic<Int>(0)
        let outcomes = Mutex<[Result<String, AuditError>]>([])
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            Thread.detachNewThread {
                ready.add(1, ordering: .sequentiallyConsistent)
                while ready.load(ordering: .sequentiallyConsistent) < count {}
                let outcome = Result(catching: body)
                outcomes.withLock { $0.append(outcome) }
                done.signal()
            }
        }
        for _ in 0..<count { done.wait() }
        return outcomes.withLock { $0 }
    }

    @Test func runsCreatingTheKeyOfAFreshLogAtOnceAllGetTheSameKey() throws {
        let directory = try ScratchDirectory("audit-key")
        for attempt in 0..<200 {
            let log = directory.file("log-\(attempt).jsonl")
            let outcomes = Self.atOnce(4) { () throws(AuditError) -> String in try AuditKey.loadOrCreate(forLog: log).fingerprint("probe") }
            let fingerprints = try outcomes.map { try $0.get() }
            #expect(Set(fingerprints).count == 1, "attempt \(attempt): one key for all")
            #expect(try AuditKey.loadOrCreate(forLog: log).fingerprint("probe") == fingerprints.first)
            let key = try String(contentsOfFile: AuditKey.path(forLog: log), encoding: .utf8)
            #expect(key.utf8.count == 64 && key.allSatisfy(\.isHexDigit), "a whole key: \(key)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".new-") }
        #expect(leftovers.isEmpty, "no temporary key files are left: \(leftovers)")
    }

    @Test func anEmptyKeyCountsAsNoneAndIsReplacedOnce() throws {
        let directory = try ScratchDirectory("audit-key")
        let log = directory.file("audit.jsonl")
        try directory.write("audit.jsonl.key", "", mode: 0o600)
        let outcomes = Self.atOnce(4) { () throws(AuditError) -> String in try AuditKey.loadOrCreate(forLog: log).fingerprint("probe") }
        let fingerprints = try outcomes.map { try $0.get() }
        #expect(Set(fingerprints).count == 1)
        let key = try String(contentsOfFile: AuditKey.path(forLog: log), encoding: .utf8)
        #expect(key.utf8.count == 64)
        #expect(try AuditKey.loadOrCreate(forLog: log).fingerprint("probe") == fingerprints.first)
    }

    @Test func aFullDiskLeavesNoKeyBehindAndTheNextRunCreatesOne() throws {
        let directory = try ScratchDirectory("audit-key")
        let small = directory.file("small")
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        _ = try Shell.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", small])
        defer { _ = try? Shell.run(["umount", small]) }
        // Fill the file system.
        _ = try? Shell.run(["dd", "if=/dev/zero", "of=\(small)/filler", "bs=1k", "count=64"])
        let log = small + "/audit.jsonl"
        #expect(throws: AuditError.self) { try AuditKey.loadOrCreate(forLog: log) }
        #expect(!FileManager.default.fileExists(atPath: AuditKey.path(forLog: log)), "no empty key is left to wedge later runs")
        #expect(try FileManager.default.contentsOfDirectory(atPath: small) == ["filler"])
        try FileManager.default.removeItem(atPath: small + "/filler")
        let key = try AuditKey.loadOrCreate(forLog: log)
        #expect(try AuditKey.loadOrCreate(forLog: log).fingerprint("probe") == key.fingerprint("probe"))
    }
}
