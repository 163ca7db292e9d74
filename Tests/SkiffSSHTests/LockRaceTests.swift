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
}
