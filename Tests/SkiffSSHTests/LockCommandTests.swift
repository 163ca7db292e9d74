import Foundation
import SkiffTestSupport
import Testing

/// `skiff lock status` and `skiff lock release` against a real host: they exit cleanly every time, and
/// tell the lock's real heartbeat age.
@Suite("lock commands on a host")
struct LockCommandTests {
    /// A lock held by someone else on the host, its heartbeat `age` seconds old.
    static func plantLock(on host: TestHost, age: Int) throws {
        let lock = host.pathInside("/root/.skiff/lock")
        try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: true)
        try #"{"run": "run-elsewhere", "operator": "ops", "time": "2026-01-01T00:00:00Z"}"#
            .write(toFile: lock + "/info.json", atomically: false, encoding: .utf8)
        try Shell.run(["touch", "-d", "@\(Int(Date().timeIntervalSince1970) - age)", lock + "/info.json"])
    }

    static func lock(_ fleet: DeployEndToEndTests.Fleet, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await ExecCommandTests.skiff(
            ["lock"] + arguments + ["-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"]
                + (arguments.first == "release" ? ["--audit-log", fleet.files.file("audit.jsonl")] : []),
            environment: ["NO_COLOR": "1"])
    }

    /// The connections are closed before the command returns: none is left closing while the process exits.
    @Test func statusAndReleaseExitCleanlyEveryTime() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        for round in 0..<25 {
            let status = try await Self.lock(fleet, ["status"])
            #expect(status.status == 0, "round \(round): \(status.output)")
            #expect(status.output.contains("app1") && status.output.contains("app2"), "round \(round): \(status.output)")
            let release = try await Self.lock(fleet, ["release", "--host", "app1", "--host", "app2"])
            #expect(release.status == 0, "round \(round): \(release.output)")
            if status.status != 0 || release.status != 0 { break }
        }
    }

    @Test func releaseTellsAndRecordsTheRealHeartbeatAge() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let planted = ContinuousClock.now
        try Self.plantLock(on: fleet.hosts[0], age: 100)
        let status = try await Self.lock(fleet, ["status"])
        #expect(status.output.contains(" held ") && status.output.contains("heartbeat 1"), "\(status.output)")
        let release = try await Self.lock(fleet, ["release", "--host", "app1"])
        #expect(release.status == 0, "\(release.output)")
        let told = release.output.range(of: #"heartbeat (\d+) s ago"#, options: .regularExpression).map { String(release.output[$0]) } ?? ""
        let seconds = Int(told.split(separator: " ").dropFirst().first ?? "") ?? -1
        let elapsed = Int((ContinuousClock.now - planted).components.seconds) + 2
        #expect((100...(100 + elapsed)).contains(seconds), "release tells the heartbeat's age: \(release.output)")
        let log = try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8)
        #expect(log.contains("lock_released_by_operator") && log.contains(told), "the audit record tells it too: \(log)")
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/root/.skiff/lock")))
    }
}
