import Crypto
import Foundation
import SkiffTestSupport
import Testing

/// `skiff lock release`, `--junit` and `skiff rollback` refusing what they cannot do, before any host is
/// contacted.
@Suite("lock and audit commands")
struct LockAndAuditCommandTests {
    /// An inventory whose hosts listen nowhere (port 1 on loopback).
    static func unreachableInventory(_ files: ScratchDirectory) throws -> String {
        try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=1 ansible_user=root\napp2 ansible_host=127.0.0.1 ansible_port=1\n")
    }

    @Test func releasingAGroupOrAnUnknownHostIsAnErrorAndReleasesNothing() async throws {
        let files = try ScratchDirectory("lock-release")
        let inventory = try Self.unreachableInventory(files)
        let log = files.file("audit.jsonl")
        for (name, reason) in [("all", "is a group"), ("app", "is a group"), ("web9", "is not a host in the inventory")] {
            let run = try await ExecCommandTests.skiff(["lock", "release", "--host", name, "-i", inventory, "--audit-log", log])
            #expect(run.status == 5, "\(name): \(run.output)")
            #expect(run.output.contains("\(name) \(reason)") && run.output.contains("nothing was released"), "\(run.output)")
        }
        let limited = try await ExecCommandTests.skiff(["lock", "release", "--host", "app1", "--limit", "app2", "-i", inventory, "--audit-log", log])
        #expect(limited.status == 5 && limited.output.contains("app1 is not selected by --limit"), "\(limited.output)")
        #expect(!FileManager.default.fileExists(atPath: log), "nothing was recorded: nothing was done")
    }

    @Test func anUnwritableJUnitPathFailsTheRunBeforeAnyHostIsContacted() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("touch.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - shell: touch /tmp/ran\n")
        let existing = try fleet.files.write("existing.xml", "<old/>")
        for path in [fleet.files.file("no-such-directory/junit.xml"), fleet.files.path] {
            let run = try await AuditEndToEndTests.skiff(fleet, [playbook, "--junit", path], log: fleet.files.file("audit.jsonl"))
            #expect(run.status == 5, "\(run.output)")
            #expect(run.output.contains("--junit \(path) cannot be written"), "\(run.output)")
            #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/ran")), "no host was contacted")
        }
        let fine = try await AuditEndToEndTests.skiff(fleet, [playbook, "--junit", existing], log: fleet.files.file("audit.jsonl"))
        #expect(fine.status == 0, "\(fine.output)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8).contains("<testsuites>"))
    }

    @Test func rollbackRefusesHistoryThatDoesNotVerify() async throws {
        let files = try ScratchDirectory("rollback")
        let inventory = try Self.unreachableInventory(files)
        let log = files.file("audit.jsonl")
        // A real, keyed log: an operator's release attempt (the host cannot be reached).
        let release = try await ExecCommandTests.skiff(["lock", "release", "--host", "app1", "-i", inventory, "--audit-log", log])
        #expect(release.status != 0 && FileManager.default.fileExists(atPath: log), "\(release.output)")
        #expect(try await AuditEndToEndTests.audit(["verify"], log: log).status == 0)

        // Two deploys nobody ran, correctly chained, appended by someone without the log's key.
        var lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        for version in ["0.0.1-evil", "0.0.2-evil"] {
            let previous = SHA256.hash(data: Array(lines.last!.utf8)).map { String(format: "%02x", $0) }.joined()
            lines.append("{\"seq\": \(lines.count + 1), \"prev\": \"\(previous)\", \"time\": \"2026-01-01T00:00:00.000Z\", \"type\": \"deployed\", "
                         + "\"run\": \"forged-\(version)\", \"host\": \"app1\", \"project\": \"app\", \"version\": \"\(version)\"}")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: false, encoding: .utf8)
        let verify = try await AuditEndToEndTests.audit(["verify"], log: log)
        #expect(verify.status == 1 && verify.output.contains("has no MAC"), "\(verify.output)")

        let rollback = try await ExecCommandTests.skiff(
            ["rollback", "\(DeployEndToEndTests.repository)/playbooks/deploy.yml", "-i", inventory, "--audit-log", log], environment: ["NO_COLOR": "1"])
        #expect(rollback.status == 1, "\(rollback.output)")
        #expect(rollback.output.contains("rollback refused: the audit log \(log) does not verify"), "\(rollback.output)")
        #expect(!rollback.output.contains("0.0.1-evil"), "nothing was chosen from the forged history")
    }
}
