import Foundation
import SkiffTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

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

    /// One host whose sessions wait at a gate while `/tmp/gate` (a FIFO) exists, each noting
    /// `/tmp/waiting.PID`; `open` lets every waiting session go at the same moment.
    struct GatedHost {
        let fleet: DeployEndToEndTests.Fleet
        var host: TestHost { fleet.hosts[0] }

        static func start() async throws -> GatedHost {
            let key = try TestKeys.shared.key(.ed25519)
            let files = try ScratchDirectory("gated")
            let gate = try files.write("gate.sh", """
                #!/bin/sh
                if [ -p /tmp/gate ]; then : > "/tmp/waiting.$$"; cat /tmp/gate > /dev/null 2>&1; fi
                exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
                """, mode: 0o755)
            var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
            configuration.extraConfig = ["ForceCommand \(gate)"]
            let host = try await TestHost.launch(configuration)
            let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=root\n")
            let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
            return GatedHost(fleet: DeployEndToEndTests.Fleet(hosts: [host], files: files, inventory: inventory, knownHosts: knownHosts, key: key))
        }

        func close() throws {
            _ = try Shell.run(["mkfifo", host.pathInside("/tmp/gate")])
        }

        /// Waits until `sessions` sessions wait at the gate — or, on a loaded machine, 15 s after the first
        /// one came (the runs' lock step gives up after 30 s; a late run then meets the lock the others
        /// race for, which the test's assertions hold for too) — then lets them all go.
        func open(after sessions: Int) async throws {
            let tmp = host.pathInside("/tmp")
            let firstArrival = Mutex<ContinuousClock.Instant?>(nil)
            let arrived = try await eventually(within: 60) {
                let waiting = ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasPrefix("waiting.") }.count
                if waiting >= sessions { return true }
                guard waiting > 0 else { return false }
                let first = firstArrival.withLock { first in
                    if first == nil { first = .now }
                    return first ?? .now
                }
                return ContinuousClock.now - first > .seconds(15)
            }
            #expect(arrived, "the runs reached the host")
            let gate = host.pathInside("/tmp/gate")
            try await offPool {
                let writer = Glibc.open(gate, O_WRONLY)
                unlink(gate)
                if writer >= 0 { Glibc.close(writer) }
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: tmp) where name.hasPrefix("waiting.") {
                try FileManager.default.removeItem(atPath: tmp + "/" + name)
            }
        }
    }

    /// With `deadBreakersClaim`, the stale lock also holds the claim of a breaker that died mid-break: the
    /// runs race to take it over, and still one of them breaks the lock.
    @Test(.serialized, arguments: [false, true])
    func concurrentRunsBreakingOneStaleLockLetOnlyOneOfThemIn(deadBreakersClaim: Bool) async throws {
        let gated = try await GatedHost.start()
        let fleet = gated.fleet
        let host = gated.host
        let playbook = try fleet.files.write("mark.yml", Self.marking)
        let lock = host.pathInside("/root/.skiff/lock")
        let runs = 6
        for attempt in 1...5 {
            // A lock left by a controller that died long ago.
            try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: true)
            try #"{"run": "dead-run", "operator": "gone@old-ci"}"#.write(toFile: lock + "/info.json", atomically: false, encoding: .utf8)
            _ = try Shell.run(["touch", "-d", "2 hours ago", lock + "/info.json"])
            if deadBreakersClaim {
                try FileManager.default.createDirectory(atPath: lock + "/breaking", withIntermediateDirectories: false)
                _ = try Shell.run(["touch", "-d", "2 hours ago", lock + "/breaking"])
            }
            let log = fleet.files.file("audit-\(attempt).jsonl")
            // Every run's first command on the host (taking the lock) starts at the same moment.
            try gated.close()
            async let opened: Void = gated.open(after: runs)
            let results = try await withThrowingTaskGroup(of: (status: Int32, output: String).self) { group in
                for index in 1...runs {
                    group.addTask {
                        try await AuditEndToEndTests.skiff(fleet, [playbook, "--break-stale-locks", "-e", "run_name=\(attempt).\(index)"], log: log)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await opened
            let records = try String(contentsOfFile: log, encoding: .utf8)
            let breaks = records.components(separatedBy: "\"type\": \"lock_broken\"").count - 1
            #expect(breaks == 1, "try \(attempt): one run broke the stale lock, not \(breaks)")
            #expect(results.contains { $0.status == 0 }, "try \(attempt): \(results.map(\.output))")
            for run in results where run.status != 0 {
                // Refused, naming the run that broke it — or, on a machine the whole suite loads, its lock
                // step gave up waiting (30 s): it did not enter either, and never names the dead run.
                let refused = run.output.contains("the deploy lock is held by run ") || run.output.contains("command timed out and was stopped")
                #expect(refused && !run.output.contains("dead-run"), "refused, naming the run that broke it: \(run.output)")
            }
            #expect(Self.runsOneAtATime(Self.marks(on: host)), "try \(attempt): never two runs at once: \(Self.marks(on: host))")
            #expect(!FileManager.default.fileExists(atPath: lock), "released at the end")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/root/.skiff"))
            #expect(leftovers.isEmpty, "nothing is left beside the lock: \(leftovers)")
        }
    }
}
