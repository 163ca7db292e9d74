import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

/// The shared audit store in a real PostgreSQL server: several controllers (parallel CI jobs, each with
/// its own throwaway log) append to one chain; the review commands read it; a store that cannot be
/// reached stops the run before any host is contacted.
@Suite("audit store in PostgreSQL")
struct AuditStoreTests {
    static let sharedKey = String(repeating: "3c", count: 32)

    @Test func threeControllersDeployingAtOnceLeaveOneIntactChain() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.database("concurrent_\(UInt32.random(in: 0 ... .max))")
        let fleets = try await [DeployEndToEndTests.fleet(2), DeployEndToEndTests.fleet(2), DeployEndToEndTests.fleet(2)]
        let playbook = "\(DeployEndToEndTests.repository)/playbooks/deploy-skiff.yml"
        let results = try await withThrowingTaskGroup(of: (Int, Int32, String).self) { group in
            for (index, fleet) in fleets.enumerated() {
                group.addTask {
                    let run = try await ExecCommandTests.skiff(
                        [playbook, "-i", fleet.inventory, "-e", "version=2.\(index).0", "--private-key", fleet.key.privateKeyPath,
                         "--known-hosts", fleet.knownHosts, "--no-agent"],
                        environment: ["SKIFF_AUDIT_LOG": fleet.files.file("runner/audit.jsonl"), "SKIFF_AUDIT_URL": url,
                                      "SKIFF_AUDIT_KEY": Self.sharedKey, "REGISTRY_URL": "registry.example.com", "REGISTRY_USER": "ci",
                                      "REGISTRY_PASSWORD": "canary-store-pw-4717", "NO_COLOR": "1"])
                    return (index, run.status, run.output)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for (index, status, output) in results { #expect(status == 0, "controller \(index): \(output)") }

        let review = ["--audit-url", url]
        let verify = try await ExecCommandTests.skiff(["audit", "verify"] + review, environment: ["SKIFF_AUDIT_KEY": Self.sharedKey])
        #expect(verify.status == 0 && verify.output.contains("intact") && verify.output.contains("chained and keyed"), "\(verify.output)")
        let rows = try server.sql(url.components(separatedBy: "?")[0].components(separatedBy: "/").last!, "SELECT count(*), max(seq) FROM skiff_audit")
        let counts = rows.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        #expect(counts.count == 2 && counts[0] == counts[1], "one chain, no gaps: \(rows)")
        let list = try await ExecCommandTests.skiff(["audit", "list", "--json"] + review)
        #expect(list.output.split(separator: "\n").filter { $0.hasPrefix("{") }.count == 3, "\(list.output)")
        for version in ["2.0.0", "2.1.0", "2.2.0"] { #expect(list.output.contains("\"versions\": [\"\(version)\"]"), "\(version): \(list.output)") }
        // The three fleets name their hosts alike (app1, app2): where shows each name's last deploy.
        let place = try await ExecCommandTests.skiff(["audit", "where", "--json"] + review)
        #expect(place.output.split(separator: "\n").filter { $0.hasPrefix("{") }.count == 2, "\(place.output)")
        #expect(!list.output.contains("canary-store-pw-4717") && !place.output.contains("canary-store-pw-4717"))

        // A record changed in the store is caught.
        let database = url.components(separatedBy: "?")[0].components(separatedBy: "/").last!
        try server.sql(database, "UPDATE skiff_audit SET line = replace(line, '2.1.0', '9.9.9') WHERE type = 'deployed'")
        let broken = try await ExecCommandTests.skiff(["audit", "verify"] + review, environment: ["SKIFF_AUDIT_KEY": Self.sharedKey])
        #expect(broken.status == 1 && broken.output.contains("BROKEN"), "\(broken.output)")
    }

    @Test func aStoreThatCannotBeReachedStopsTheRunBeforeAnyHost() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("touch.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - shell: touch /tmp/ran\n")
        let down = "postgresql:///nothing?host=/var/tmp/skiff-tests/no-such-socket-dir&port=1&user=postgres&connect_timeout=3"
        let run = try await ExecCommandTests.skiff(
            [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["SKIFF_AUDIT_URL": down, "NO_COLOR": "1"])
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("cannot connect to the audit store") && run.output.contains("does not start"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/ran")), "no host was contacted")
    }
}

extension AuditStoreTests {
    /// libpq is loaded only when a store is used: a host without it (hidden here in a mount namespace)
    /// runs playbooks without a store as before, and a run with `--audit-url` stops before any host with
    /// an error that names the library and its package.
    @Test(.enabled(if: getuid() == 0)) func aStoreWithoutLibpqSaysSoBeforeAnyHost() async throws {
        let library = try #require(["/usr/lib/x86_64-linux-gnu/libpq.so.5", "/usr/lib/aarch64-linux-gnu/libpq.so.5", "/usr/lib/libpq.so.5"]
            .map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }.first { FileManager.default.fileExists(atPath: $0) })
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("touch.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - shell: touch /tmp/ran\n")
        let common = [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"]
        func withoutLibpq(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let line = ([ExecCommandTests.skiff] + arguments).map { ShellQuote.quote($0) }.joined(separator: " ")
            return try await offPool {
                do {
                    return (0, try Shell.run(["unshare", "--mount", "/bin/sh", "-c", "mount --bind /dev/null \(ShellQuote.quote(library)) && exec \(line)"],
                                             environment: ["NO_COLOR": "1", "SKIFF_AUDIT_LOG": ExecCommandTests.sharedAuditLog]))
                } catch let failure as Shell.Failure {
                    return (failure.status, failure.output)
                }
            }
        }
        let url = "postgresql:///nothing?host=/var/tmp/skiff-tests/no-such-socket-dir&port=1&user=postgres&connect_timeout=3"
        let refused = try await withoutLibpq(common + ["--audit-url", url])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("needs PostgreSQL's client library libpq (Debian: libpq5)"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/ran")), "no host was contacted")
        let plain = try await withoutLibpq(common)
        #expect(plain.status == 0, "\(plain.output)")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/ran")))
    }

    /// The store lost mid-run (its database refuses connections, the run's session is ended): no new task
    /// starts, and the run exits 1.
    @Test func aStoreLostMidRunStartsNoNewTask() async throws {
        let server = try PostgresServer.shared.get()
        let name = "lost_\(UInt32.random(in: 0 ... .max))"
        let url = try server.database(name)
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("slow.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: First
                  shell: touch /tmp/first; while [ ! -e /tmp/go ]; do sleep 0.1; done
                - name: Second
                  shell: touch /tmp/second
            """)
        let host = fleet.hosts[0]
        async let run = ExecCommandTests.skiff(
            [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["SKIFF_AUDIT_URL": url, "NO_COLOR": "1"])
        #expect(try await eventually(within: 60) { FileManager.default.fileExists(atPath: host.pathInside("/tmp/first")) })
        try server.sql("postgres", "ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
        try server.sql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        _ = FileManager.default.createFile(atPath: host.pathInside("/tmp/go"), contents: Data())
        let (status, output) = try await run
        #expect(status == 1, "\(output)")
        #expect(output.contains("audit store"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/second")), "no new task started")
    }
}

extension AuditStoreTests {
    /// A runner that wrote only its own log copies its runs into the store afterwards: once, however often
    /// it pushes, with their times; a log whose chain is broken is not copied at all.
    @Test func pushCopiesALocalLogsRunsOnceAndRefusesABrokenLog() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.database("push_\(UInt32.random(in: 0 ... .max))")
        let fleet = try await DeployEndToEndTests.fleet(1)
        let log = fleet.files.file("offline/audit.jsonl")
        let playbook = try fleet.files.write("touch.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - shell: touch /tmp/ran\n")
        for _ in 0..<2 {
            let run = try await ExecCommandTests.skiff(
                [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
                environment: ["SKIFF_AUDIT_LOG": log, "NO_COLOR": "1"])
            #expect(run.status == 0, "\(run.output)")
        }
        let environment = ["SKIFF_AUDIT_KEY": Self.sharedKey]
        let first = try await ExecCommandTests.skiff(["audit", "push", "--audit-log", log, "--audit-url", url], environment: environment)
        #expect(first.status == 0 && first.output.contains("2 run(s) copied") && first.output.contains("0 already"), "\(first.output)")
        let again = try await ExecCommandTests.skiff(["audit", "push", "--audit-log", log, "--audit-url", url], environment: environment)
        #expect(again.status == 0 && again.output.contains("0 run(s) copied") && again.output.contains("2 already"), "\(again.output)")

        let local = try await ExecCommandTests.skiff(["audit", "list", "--json", "--audit-log", log])
        let stored = try await ExecCommandTests.skiff(["audit", "list", "--json", "--audit-url", url])
        let runs = { (output: String) in output.split(separator: "\n").filter { $0.hasPrefix("{") }.map(String.init) }
        #expect(runs(stored.output).count == 2, "\(stored.output)")
        #expect(runs(stored.output) == runs(local.output), "the same runs, ids and times: \(local.output)\n\(stored.output)")
        let verify = try await ExecCommandTests.skiff(["audit", "verify", "--audit-url", url], environment: environment)
        #expect(verify.status == 0 && verify.output.contains("intact"), "\(verify.output)")

        // One record changed in the local log: nothing of it is copied.
        let otherURL = try server.database("push_broken_\(UInt32.random(in: 0 ... .max))")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        try text.replacingOccurrences(of: "\"exit_code\": 0", with: "\"exit_code\": 7").write(toFile: log, atomically: false, encoding: .utf8)
        let refused = try await ExecCommandTests.skiff(["audit", "push", "--audit-log", log, "--audit-url", otherURL], environment: environment)
        #expect(refused.status == 1 && refused.output.contains("BROKEN") && refused.output.contains("nothing was copied"), "\(refused.output)")
        let empty = try await ExecCommandTests.skiff(["audit", "list", "--json", "--audit-url", otherURL])
        #expect(runs(empty.output).isEmpty, "\(empty.output)")
    }
}

extension AuditStoreTests {
    /// A controller killed with SIGKILL mid-run writes nothing more: the store's chain still verifies
    /// (each batch is one transaction) and the run is listed as unfinished.
    @Test func aControllerKilledMidRunLeavesAnIntactStoreAndAnUnfinishedRun() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.database("killed_\(UInt32.random(in: 0 ... .max))")
        let fleet = try await DeployEndToEndTests.fleet(2)
        let playbook = try fleet.files.write("held.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/started
                - shell: for i in $(seq 1200); do [ -e /tmp/release ] && break; sleep 0.05; done
            """)
        let pid = try Shell.spawn(
            [ExecCommandTests.skiff, "-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["SKIFF_AUDIT_LOG": fleet.files.file("audit.jsonl"), "SKIFF_AUDIT_URL": url, "SKIFF_AUDIT_KEY": Self.sharedKey])
        let hosts = fleet.hosts
        let started = try await eventually(within: 60) {
            hosts.allSatisfy { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/started")) }
        }
        #expect(started)
        kill(pid, SIGKILL)
        _ = try await offPool { Shell.wait(for: pid) }
        // The held step outlives the controller on the hosts: let it end.
        for host in hosts { _ = FileManager.default.createFile(atPath: host.pathInside("/tmp/release"), contents: Data()) }

        let verify = try await ExecCommandTests.skiff(["audit", "verify", "--audit-url", url], environment: ["SKIFF_AUDIT_KEY": Self.sharedKey])
        #expect(verify.status == 0 && verify.output.contains("intact"), "\(verify.output)")
        let list = try await ExecCommandTests.skiff(["audit", "list", "--json", "--audit-url", url])
        let runs = list.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(runs.count == 1 && runs[0].contains("\"status\": \"unfinished\""), "\(list.output)")
    }
}
