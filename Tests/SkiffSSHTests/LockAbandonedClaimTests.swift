import Foundation
import SkiffTestSupport
import Testing

/// A run breaking a stale deploy lock claims it with `~/.skiff/lock/breaking`. A claim its breaker left
/// behind (killed, or its connection lost, mid-break) does not keep the stale lock from being broken for
/// ever: once it is old, the next breaker takes it over. A claim made moments ago is its breaker's.
@Suite("deploy lock claims left by dead breakers")
struct LockAbandonedClaimTests {
    static let touching = """
        - hosts: app
          gather_facts: false
          tasks:
            - shell: touch /tmp/ran
        """

    /// Plants a lock of a run that died two hours ago, with the breaking claims `claims` (paths inside the
    /// lock, outermost first) made `claimsAge` ago — the innermost one `innermostAge` ago.
    static func plantStaleLock(on host: TestHost, claims: [String], claimsAge: String, innermostAge: String) throws -> String {
        let lock = host.pathInside("/root/.skiff/lock")
        try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: true)
        try #"{"run": "dead-run", "operator": "gone@old-ci"}"#.write(toFile: lock + "/info.json", atomically: false, encoding: .utf8)
        _ = try Shell.run(["touch", "-d", "2 hours ago", lock + "/info.json"])
        for claim in claims { try FileManager.default.createDirectory(atPath: lock + "/" + claim, withIntermediateDirectories: false) }
        for (index, claim) in claims.enumerated() {
            _ = try Shell.run(["touch", "-d", index == claims.count - 1 ? innermostAge : claimsAge, lock + "/" + claim])
        }
        return lock
    }

    @Test(arguments: [["breaking"], ["breaking", "breaking/breaking"]])
    func anOldClaimIsTakenOverAndTheStaleLockBroken(claims: [String]) async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let host = fleet.hosts[0]
        let log = fleet.files.file("audit.jsonl")
        let playbook = try fleet.files.write("touch.yml", Self.touching)
        let lock = try Self.plantStaleLock(on: host, claims: claims, claimsAge: "2 hours ago", innermostAge: "2 minutes ago")

        let run = try await AuditEndToEndTests.skiff(fleet, [playbook, "--break-stale-locks"], log: log)
        #expect(run.status == 0, "\(run.output)")
        #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/ran")), "the run deployed")
        let records = try String(contentsOfFile: log, encoding: .utf8)
        #expect(records.contains("\"type\": \"lock_broken\"") && records.contains("dead-run"), "\(records)")
        #expect(!FileManager.default.fileExists(atPath: lock), "released at the end, claims and all")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/root/.skiff"))
        #expect(leftovers.isEmpty, "nothing is left beside the lock: \(leftovers)")
    }

    @Test(arguments: [["breaking"], ["breaking", "breaking/breaking"]])
    func aClaimMadeMomentsAgoIsLeftToItsBreaker(claims: [String]) async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let host = fleet.hosts[0]
        let log = fleet.files.file("audit.jsonl")
        let playbook = try fleet.files.write("touch.yml", Self.touching)
        // A breaker at work: its claim (the innermost) is new, whatever claims it took over.
        let lock = try Self.plantStaleLock(on: host, claims: claims, claimsAge: "2 hours ago", innermostAge: "now")

        let run = try await AuditEndToEndTests.skiff(fleet, [playbook, "--break-stale-locks"], log: log)
        #expect(run.status == 75, "\(run.output)")
        #expect(run.output.contains("the deploy lock is stale: run dead-run by gone@old-ci"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/ran")), "nothing ran")
        #expect(!(try String(contentsOfFile: log, encoding: .utf8)).contains("\"type\": \"lock_broken\""))
        let info = try String(contentsOfFile: lock + "/info.json", encoding: .utf8)
        #expect(info.contains("dead-run"), "the lock is as it was: \(info)")
        for claim in claims { #expect(FileManager.default.fileExists(atPath: lock + "/" + claim), "\(claim) is still there") }
    }
}
