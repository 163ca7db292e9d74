import Foundation
import SkiffTestSupport
import Testing

/// `--audit-remote`: each host keeps its part of every run; the history survives the controller's log.
@Suite("audit on the hosts")
struct RemoteAuditTests {
    @Test func hostsKeepTheHistoryWhenTheControllersLogIsGone() async throws {
        let fleet = try await DeployEndToEndTests.fleet(3)
        let log = fleet.files.file("runner/audit.jsonl")
        let playbook = "\(DeployEndToEndTests.repository)/playbooks/deploy-skiff.yml"
        let connection = ["--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"]
        for version in ["1.0.0", "1.0.1"] {
            let run = try await ExecCommandTests.skiff(
                [playbook, "-i", fleet.inventory, "-e", "version=\(version)", "--audit-remote"] + connection,
                environment: ["SKIFF_AUDIT_LOG": log, "REGISTRY_URL": "registry.example.com", "REGISTRY_USER": "ci",
                              "REGISTRY_PASSWORD": "canary-remote-pw-4716", "NO_COLOR": "1", "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "alice"])
            #expect(run.status == 0, "\(run.output)")
        }
        for host in fleet.hosts {
            let text = try String(contentsOfFile: host.pathInside("/root/.skiff/audit.jsonl"), encoding: .utf8)
            #expect(text.contains("\"type\": \"deployed\"") && text.contains("\"version\": \"1.0.1\""), "\(text)")
            #expect(!text.contains("canary-remote-pw-4716"), "no secret on the host's log")
            let mode = try FileManager.default.attributesOfItem(atPath: host.pathInside("/root/.skiff/audit.jsonl"))[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        try FileManager.default.removeItem(atPath: log)

        let review = ["--from-hosts", "-i", fleet.inventory] + connection
        let place = try await ExecCommandTests.skiff(["audit", "where"] + review + ["--audit-log", log])
        #expect(place.status == 0, "\(place.output)")
        for host in ["app1", "app2", "app3"] {
            #expect(place.output.split(separator: "\n").contains { $0.hasPrefix(host) && $0.contains("1.0.1") && $0.contains("alice via") },
                    "\(host): \(place.output)")
        }
        let list = try await ExecCommandTests.skiff(["audit", "list", "--json"] + review + ["--audit-log", log])
        let runs = list.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(runs.count == 2, "two runs, each once, from three hosts' logs: \(list.output)")
        #expect(runs.allSatisfy { $0.contains("\"app1\"") && $0.contains("\"app2\"") && $0.contains("\"app3\"") && $0.contains("\"status\": \"ok\"") },
                "each run's hosts merged from their logs: \(list.output)")
        let intact = try await ExecCommandTests.skiff(["audit", "verify"] + review)
        #expect(intact.status == 0 && intact.output.contains("app2: intact"), "\(intact.output)")

        // A record changed on one host is caught there.
        let path = fleet.hosts[1].pathInside("/root/.skiff/audit.jsonl")
        let tampered = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"version\": \"1.0.0\"", with: "\"version\": \"0.9.9\"")
        try tampered.write(toFile: path, atomically: false, encoding: .utf8)
        let broken = try await ExecCommandTests.skiff(["audit", "verify"] + review)
        #expect(broken.status == 1, "\(broken.output)")
        #expect(broken.output.contains("app2: BROKEN at line") && broken.output.contains("app1: intact"), "\(broken.output)")
    }

    /// A host whose log cannot be written fails (fail closed, as the controller's log does); the others do not.
    @Test func aHostWhoseLogCannotBeWrittenFails() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        try FileManager.default.createDirectory(atPath: fleet.hosts[0].pathInside("/root/.skiff/audit.jsonl"), withIntermediateDirectories: true)
        let playbook = try fleet.files.write("noop.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n")
        let run = try await ExecCommandTests.skiff(
            [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent",
             "--audit-remote"], environment: ["NO_COLOR": "1"])
        #expect(run.status == 2, "\(run.output)")
        #expect(run.output.contains("TASK [Audit log on the host]") || run.output.contains("cannot write the host's audit log"), "\(run.output)")
        #expect(run.output.contains("app1                       : ok=1     changed=1   unreachable=0   failed=1"), "\(run.output)")
        #expect(run.output.contains("app2                       : ok=1     changed=1   unreachable=0   failed=0"), "\(run.output)")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[1].pathInside("/root/.skiff/audit.jsonl")))
    }
}
