import Foundation
import SkiffTestSupport
import Testing

/// Deploy locks under concurrent runs on real hosts: runs that wait never wait for each other, and a
/// stale lock is broken by one run only.
@Suite("deploy lock races")
struct LockRaceTests {
    /// Each task notes on its host when it starts and ends, under the run's name.
    static let marking = """
        - hosts: app
          gather_facts: false
          tasks:
            - shell: echo "start {{ run_name }}" >> /tmp/marks; sleep 1; echo "end {{ run_name }}" >> /tmp/marks
        """

    /// The runs' marks on a host, each run's start followed by its own end (no two runs at once).
    static func marks(on host: TestHost) -> [String] {
        ((try? String(contentsOfFile: host.pathInside("/tmp/marks"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func runsOneAtATime(_ marks: [String]) -> Bool {
        guard marks.count % 2 == 0 else { return false }
        return stride(from: 0, to: marks.count, by: 2).allSatisfy { index in
            marks[index].hasPrefix("start ") && marks[index + 1] == "end " + marks[index].dropFirst("start ".count)
        }
    }

    @Test func twoWaitingRunsReachingTheHostsInOppositeOrdersBothSucceedOneAfterTheOther() async throws {
        let fleet = try await DeployEndToEndTests.fleet(5)
        let log = fleet.files.file("audit.jsonl")
        let playbook = try fleet.files.write("mark.yml", Self.marking)
        let lines = try String(contentsOfFile: fleet.inventory, encoding: .utf8).split(separator: "\n").dropFirst()
        let reversed = try fleet.files.write("reversed.ini", "[app]\n" + lines.reversed().joined(separator: "\n") + "\n")
        // With one fork a run goes host by host in its inventory's order, so the two runs meet in the middle,
        // each holding the hosts it has done (locks are kept until the end of the run).
        async let forward = AuditEndToEndTests.skiff(fleet, [playbook, "--forks", "1", "--lock-wait", "30", "-e", "run_name=forward"], log: log)
        async let backward = AuditEndToEndTests.skiff(
            fleet, [playbook, "--forks", "1", "--lock-wait", "30", "-e", "run_name=backward"], log: log, inventory: reversed)
        let (first, second) = try await (forward, backward)
        #expect(first.status == 0, "\(first.output)")
        #expect(second.status == 0, "\(second.output)")
        for host in fleet.hosts {
            let marks = Self.marks(on: host)
            #expect(marks.count == 4 && Self.runsOneAtATime(marks), "both runs ran here, one after the other: \(marks)")
        }
        #expect(try await AuditEndToEndTests.audit(["verify"], log: log).status == 0)
    }

    @Test func concurrentRunsBreakingOneStaleLockLetOnlyOneOfThemIn() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let host = fleet.hosts[0]
        let playbook = try fleet.files.write("mark.yml", Self.marking)
        let lock = host.pathInside("/root/.skiff/lock")
        for attempt in 1...5 {
            // A lock left by a controller that died long ago.
            try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: true)
            try #"{"run": "dead-run", "operator": "gone@old-ci"}"#.write(toFile: lock + "/info.json", atomically: false, encoding: .utf8)
            _ = try Shell.run(["touch", "-d", "2 hours ago", lock + "/info.json"])
            let log = fleet.files.file("audit-\(attempt).jsonl")
            let runs = try await withThrowingTaskGroup(of: (status: Int32, output: String).self) { group in
                for index in 1...6 {
                    group.addTask {
                        try await AuditEndToEndTests.skiff(fleet, [playbook, "--break-stale-locks", "-e", "run_name=\(attempt).\(index)"], log: log)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let records = try String(contentsOfFile: log, encoding: .utf8)
            let breaks = records.components(separatedBy: "\"type\": \"lock_broken\"").count - 1
            #expect(breaks == 1, "try \(attempt): one run broke the stale lock, not \(breaks)")
            #expect(runs.contains { $0.status == 0 }, "try \(attempt): \(runs.map(\.output))")
            for run in runs where run.status != 0 {
                #expect(run.output.contains("the deploy lock is held by run ") && !run.output.contains("dead-run"),
                        "refused, naming the run that broke it: \(run.output)")
            }
            #expect(Self.runsOneAtATime(Self.marks(on: host)), "try \(attempt): never two runs at once: \(Self.marks(on: host))")
            #expect(!FileManager.default.fileExists(atPath: lock), "released at the end")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/root/.skiff"))
            #expect(leftovers.isEmpty, "nothing is left beside the lock: \(leftovers)")
        }
    }
}
