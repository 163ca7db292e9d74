import Foundation
import SkiffTestSupport
import Testing

/// A run that cannot take a host's deploy lock did not fail there: it exits 75 ("try again later"),
/// reports the holder, counts the host as locked, not failed, in the console, JSON and the audit log.
/// `skiff lock acquire -m REASON` freezes deploys until `skiff lock release` thaws them; both are audited.
@Suite("deploy freezes and refused locks")
struct LockFreezeTests {
    static func lock(_ fleet: DeployEndToEndTests.Fleet, _ arguments: [String], log: String) async throws -> (status: Int32, output: String) {
        try await ExecCommandTests.skiff(
            ["lock"] + arguments + ["-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts,
                                    "--no-agent"] + (arguments.first == "status" ? [] : ["--audit-log", log]),
            environment: ["NO_COLOR": "1"])
    }

    static func records(_ log: String) throws -> [[String: Any]] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func aFrozenHostRefusesDeploysWithTheReasonUntilThawed() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let log = fleet.files.file("audit.jsonl")
        let playbook = try fleet.files.write("touch.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/ran
            """)
        let freeze = try await Self.lock(fleet, ["acquire", "-m", "database migration until 18:00", "--host", "app1"], log: log)
        #expect(freeze.status == 0, "\(freeze.output)")
        let status = try await Self.lock(fleet, ["status"], log: log)
        #expect(status.output.contains("app1  frozen") && status.output.contains("database migration until 18:00"), "\(status.output)")
        #expect(status.output.contains("app2  free"), "\(status.output)")

        // Not even a stale-lock breaker with a one-second TTL breaks a freeze without a TTL of its own.
        try await Task.sleep(for: .seconds(2))
        let human = try await AuditEndToEndTests.skiff(fleet, [playbook, "--break-stale-locks", "--lock-ttl", "1"], log: log)
        #expect(human.status == 75, "\(human.output)")
        #expect(human.output.contains("locked: [app1]") && human.output.contains("held by a freeze by")
                    && human.output.contains("database migration until 18:00"), "\(human.output)")
        #expect(human.output.contains("failed=0") && human.output.contains("locked=1"), "\(human.output)")
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/ran")), "nothing ran on the frozen host")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[1].pathInside("/tmp/ran")), "the other host deployed")

        let json = try await AuditEndToEndTests.skiff(fleet, [playbook, "--output", "json"], log: log)
        #expect(json.status == 75, "\(json.output)")
        let events = json.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let locked = events.first { $0["host"] as? String == "app1" && $0["status"] as? String == "locked" }
        #expect((locked?["msg"] as? String)?.contains("database migration until 18:00") == true, "\(json.output)")
        let recap = try #require(events.first { $0["event"] as? String == "recap" })
        let app1 = (recap["hosts"] as? [String: Any])?["app1"] as? [String: Any]
        #expect(app1?["locked"] as? Int == 1 && app1?["failed"] as? Int == 0, "\(recap)")
        #expect(recap["exit_code"] as? Int == 75)

        // A freeze lasts until it is thawed: --lock-wait does not wait for it.
        let began = ContinuousClock.now
        let waiting = try await AuditEndToEndTests.skiff(fleet, [playbook, "--lock-wait", "300"], log: log)
        #expect(waiting.status == 75 && ContinuousClock.now - began < .seconds(120), "\(waiting.output)")

        let release = try await Self.lock(fleet, ["release", "--host", "app1"], log: log)
        #expect(release.status == 0 && release.output.contains("app1: thawed a freeze by"), "\(release.output)")
        let after = try await AuditEndToEndTests.skiff(fleet, [playbook], log: log)
        #expect(after.status == 0, "\(after.output)")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/ran")), "a thawed host deploys")

        let records = try Self.records(log)
        let types = records.compactMap { $0["type"] as? String }
        #expect(records.contains { $0["type"] as? String == "lock_frozen" && $0["host"] as? String == "app1"
                    && $0["reason"] as? String == "database migration until 18:00" }, "\(types)")
        #expect(records.contains { $0["type"] as? String == "lock_thawed" && $0["host"] as? String == "app1" }, "\(types)")
        #expect(records.contains { $0["type"] as? String == "task_result" && $0["status"] as? String == "locked" }, "\(types)")
        #expect(records.contains { $0["type"] as? String == "run_finished" && $0["exit_code"] as? Int == 75 }, "\(types)")
        #expect(try await AuditEndToEndTests.audit(["verify"], log: log).status == 0)
        let list = try await AuditEndToEndTests.audit(["list"], log: log)
        #expect(list.output.components(separatedBy: " locked ").count - 1 == 3, "the three refused runs are listed as locked: \(list.output)")
    }

    @Test func aFreezeWithATTLGoesStaleAndAHeldLockIsNotFrozenOver() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let log = fleet.files.file("audit.jsonl")
        let frozen = try await Self.lock(fleet, ["acquire", "-m", "short freeze", "--ttl", "1"], log: log)
        #expect(frozen.status == 0, "\(frozen.output)")
        let again = try await Self.lock(fleet, ["acquire", "-m", "second freeze"], log: log)
        #expect(again.status == 75 && again.output.contains("short freeze"), "a held lock is not taken over: \(again.output)")
        try await Task.sleep(for: .seconds(2))
        let playbook = try fleet.files.write("quick.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - shell: 'true'\n")
        let broken = try await AuditEndToEndTests.skiff(fleet, [playbook, "--break-stale-locks"], log: log)
        #expect(broken.status == 0, "a freeze past its own TTL is stale: \(broken.output)")
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/root/.skiff/lock")), "released at the end")
    }
}
