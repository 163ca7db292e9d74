import Foundation
import OrderedCollections
import SkiffAudit
import SkiffCore
import SkiffTestSupport
import Testing

/// The log's chain, durability and recovery, on real files.
@Suite("audit log")
struct AuditLogTests {
    static func log(_ name: String = "audit.jsonl") throws -> (AuditLog, ScratchDirectory) {
        let directory = try ScratchDirectory("audit")
        return (try AuditLog(path: directory.file("logs/\(name)")), directory)
    }

    /// A run's worth of records through the recorder, as a run writes them.
    static func writeRun(_ log: AuditLog, run: String = RunID.make(), host: String = "web1", version: String = "1.0.1") async throws {
        let recorder = AuditRecorder(log: log, runID: run) { error in Issue.record("write failed: \(error)") }
        try recorder.started(["operator": "ci@build", "extra_vars": .dict(["version": .string(version)])])
        recorder.handle(.playStarted(name: "Deploy", pattern: "app", hosts: [host]))
        recorder.handle(.command(host: host, line: "docker compose -p app up -d"))
        var result = HostResult(host: host, task: "Start", status: .changed, rc: 0, stdout: "started", stderr: "", duration: .milliseconds(120))
        result.deployment = Deployment(project: "app", version: version, images: ["registry/app:\(version)"])
        recorder.handle(.hostResult(result))
        recorder.record("lock_acquired", ["host": .string(host)])
        var recap = HostRecap(host: host)
        recap.count(.changed)
        await recorder.finished([recap], exitCode: 0, duration: .seconds(1), interrupted: false)
    }

    @Test func everyRecordTypeIsWrittenAndReadBack() async throws {
        let (log, scratch) = try Self.log()
        defer { withExtendedLifetime(scratch) {} }
        let run = RunID.make()
        try await Self.writeRun(log, run: run)
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n")
        let types = lines.compactMap { (try? JSONParser.parse(String($0)))?.dictValue?["type"]?.text }
        #expect(types == ["run_started", "task_result", "lock_acquired", "deployed", "run_finished"])
        for (index, line) in lines.enumerated() {
            let record = try JSONParser.parse(String(line)).dictValue!
            #expect(record["seq"] == .int(index + 1))
            #expect(record["run"] == .string(run))
        }
        let task = try JSONParser.parse(String(lines[1])).dictValue!
        #expect(task["commands"] == .list(["docker compose -p app up -d"]))
        #expect(task["stdout_tail"] == "started")
        #expect(task["status"] == "changed")

        let history = try AuditHistory(logs: [log.path])
        #expect(history.runs.count == 1)
        #expect(history.runs[0].status == "ok")
        #expect(history.runs[0].operatorName == "ci@build")
        let current = history.current()
        #expect(current.map(\.host) == ["web1"])
        #expect(current.first?.version == "1.0.1")
        #expect(current.first?.images == ["registry/app:1.0.1"])
        let detail = try RunDetail(run: String(run.prefix(20)), history: history, logs: [log.path])
        #expect(detail.hosts["web1"]?.count == 1)
        #expect(detail.events.map { $0["type"]?.text } == ["lock_acquired"])
        #expect(AuditVerifier.verify(path: log.path).isIntact)
        // A second log that exists but cannot be read (a directory here) is an error, not a silent gap.
        let unreadable = scratch.file("logs/unreadable.jsonl")
        try FileManager.default.createDirectory(atPath: unreadable, withIntermediateDirectories: false)
        #expect(throws: AuditError.self) { try RunDetail(run: run, history: history, logs: [log.path, unreadable]) }
        let mode = try FileManager.default.attributesOfItem(atPath: AuditKey.path(forLog: log.path))[.posixPermissions] as? Int
        #expect(mode == 0o600, "the fingerprint key is private")
    }

    /// Writes three runs and returns the log's lines.
    static func threeRuns() async throws -> (path: String, lines: [String], ScratchDirectory) {
        let (log, directory) = try Self.log()
        for version in ["1.0.0", "1.0.1", "1.0.2"] { try await Self.writeRun(log, version: version) }
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n").map(String.init)
        return (log.path, lines, directory)
    }

    static func rewrite(_ path: String, _ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func verifyFindsAnEditedByte() async throws {
        let (path, lines, scratch) = try await Self.threeRuns()
        defer { withExtendedLifetime(scratch) {} }
        #expect(AuditVerifier.verify(path: path).isIntact)
        var edited = lines
        #expect(edited[5].contains("\"version\": \"1.0.1\""))
        edited[5] = edited[5].replacingAll("1.0.1", with: "1.0.9")
        try Self.rewrite(path, edited)
        let report = AuditVerifier.verify(path: path)
        #expect(report.broken?.line == 6, "the edited record's MAC breaks: \(String(describing: report.broken))")
        #expect(report.broken?.reason.contains("MAC does not match") == true)

        var last = lines
        last[last.count - 1] = last[last.count - 1].replacingAll("\"exit_code\": 0", with: "\"exit_code\": 1")
        try Self.rewrite(path, last)
        #expect(AuditVerifier.verify(path: path).broken?.line == lines.count, "an edited last line is caught")
    }

    @Test func verifyFindsADeletedLineASwappedPairAndAnInsertion() async throws {
        let (path, lines, scratch) = try await Self.threeRuns()
        defer { withExtendedLifetime(scratch) {} }
        var deleted = lines
        deleted.remove(at: 4)
        try Self.rewrite(path, deleted)
        #expect(AuditVerifier.verify(path: path).broken?.line == 5)
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("1 record(s) missing") == true)

        try Self.rewrite(path, Array(lines.dropLast()))
        #expect(AuditVerifier.verify(path: path).broken?.reason.contains("removed from the end") == true)

        var swapped = lines
        swapped.swapAt(3, 4)
        try Self.rewrite(path, swapped)
        #expect(AuditVerifier.verify(path: path).broken?.line == 4)

        var inserted = lines
        inserted.insert(lines[2], at: 3)
        try Self.rewrite(path, inserted)
        #expect(AuditVerifier.verify(path: path).broken?.line == 4)
    }

    @Test func aTornTailIsReportedAndTheNextWriterRecovers() async throws {
        let (path, lines, scratch) = try await Self.threeRuns()
        defer { withExtendedLifetime(scratch) {} }
        // Power lost in the middle of writing the next record: its first 40 bytes reached the disk, the head
        // still names the last whole record.
        let partial = "{\"seq\": \(lines.count + 1), \"prev\": \"0123456789"
        try (lines.joined(separator: "\n") + "\n" + partial).write(toFile: path, atomically: false, encoding: .utf8)
        let report = AuditVerifier.verify(path: path)
        #expect(report.broken == nil, "everything before the torn line holds")
        #expect(report.tornTail?.line == lines.count + 1)
        #expect(report.records == lines.count)

        let log = try AuditLog(path: path)
        try log.append("run_started", ["run": "next"])
        let after = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(after[lines.count] == partial, "the torn bytes are left as they were")
        #expect(after[lines.count + 1].contains("\"type\": \"recovered\""))
        #expect(after[lines.count + 1].contains("\"torn_bytes\": \(partial.utf8.count)"))
        let recovered = AuditVerifier.verify(path: path)
        #expect(recovered.isIntact, "\(String(describing: recovered.broken))")
        #expect(recovered.recovered == 1)
        #expect(recovered.recoveries.first?.line == lines.count + 1 && recovered.recoveries.first?.bytes == partial.utf8.count)
    }

    @Test func concurrentWritersInterleaveWholeRecords() async throws {
        let (first, directory) = try Self.log()
        let second = try AuditLog(path: first.path)
        await withTaskGroup(of: Void.self) { group in
            for log in [first, second] {
                group.addTask {
                    for index in 0..<200 { _ = try? log.append("task_result", ["n": .int(index), "pad": .string(String(repeating: "x", count: 3000))]) }
                }
            }
        }
        let report = AuditVerifier.verify(path: first.path)
        #expect(report.isIntact, "\(String(describing: report.broken))")
        #expect(report.records == 400)
        withExtendedLifetime(directory) {}
    }

    @Test func anUnwritableLogRefusesToOpen() throws {
        let directory = try ScratchDirectory("audit")
        try FileManager.default.createDirectory(atPath: directory.file("is-a-directory"), withIntermediateDirectories: true)
        #expect(throws: AuditError.self) { try AuditLog(path: directory.file("is-a-directory")) }
        let full = try AuditLog(path: "/dev/full")
        #expect(throws: AuditError.self) { try full.append("run_started", [:]) }
    }

    @Test func fingerprintsAreStableAndKeyed() throws {
        let (log, directory) = try Self.log()
        let again = try AuditLog(path: log.path)
        #expect(log.key.fingerprint("s3cret") == again.key.fingerprint("s3cret"))
        #expect(log.key.fingerprint("s3cret").hasPrefix("hmac-sha256:"))
        #expect(!log.key.fingerprint("s3cret").contains("s3cret"))
        let other = try AuditLog(path: directory.file("other/audit.jsonl"))
        #expect(other.key.fingerprint("s3cret") != log.key.fingerprint("s3cret"), "each log has its own key")
        withExtendedLifetime(directory) {}
    }

    @Test func runIDsSortByTime() {
        let early = RunID.make(milliseconds: 1_700_000_000_000)
        let late = RunID.make(milliseconds: 1_700_000_000_001)
        #expect(early < late)
        #expect(early.count == 36)
        #expect(Array(early)[14] == "7", "version 7")
    }
}
