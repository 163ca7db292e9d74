import Foundation
import SkiffTestSupport
import Testing

/// Wrong SSH settings in the inventory — an `-o` option Skiff does not know, a malformed value, a
/// ProxyJump it cannot read, an ssh_config error — are invalid input found before any host is
/// contacted: exit 5 naming the host and the variable, and nothing runs anywhere, on the hosts whose
/// settings are right either.
@Suite("connection settings checked before the run")
struct ConnectionSettingsCheckTests {
    @Test(arguments: [
        ("ansible_ssh_common_args='-o Frobnicate=yes'", "ansible_ssh_common_args", "Frobnicate"),
        ("ansible_ssh_extra_args='-o ConnectTimeout=soon'", "ansible_ssh_extra_args", "ConnectTimeout"),
        ("ansible_ssh_common_args='-J jump@bastion:port'", "ansible_ssh_common_args", "bastion"),
        ("ansible_ssh_common_args='-F SSH_CONFIG'", "app2", "Port 'ssh' is not a port number"),
    ])
    func wrongSettingsRefuseTheRunBeforeAnyHostIsContacted(setting: String, names: String, detail: String) async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let config = try fleet.files.write("ssh_config", "Host *\n  Port ssh\n")
        let text = try String(contentsOfFile: fleet.inventory, encoding: .utf8)
            .replacingOccurrences(of: "\napp2 ", with: "\napp2 \(setting.replacingOccurrences(of: "SSH_CONFIG", with: config)) ")
        let inventory = try fleet.files.write("wrong.ini", text)
        let playbook = try fleet.files.write("touch.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/ran
            """)
        let run = try await AuditEndToEndTests.skiff(fleet, [playbook], log: fleet.files.file("audit.jsonl"), inventory: inventory)
        #expect(run.status == 5, "\(setting): \(run.output)")
        #expect(run.output.contains("app2") && run.output.contains(names) && run.output.contains(detail), "\(setting): \(run.output)")
        for host in fleet.hosts {
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/ran")), "\(setting): nothing ran on any host")
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/root/.skiff/lock")), "\(setting): no lock was taken")
        }
        let log = try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8)
        #expect(!log.contains("\"type\": \"task_result\"") && !log.contains("lock_acquired"), "\(setting): \(log)")

        // Ad hoc commands too.
        let exec = try await ExecCommandTests.skiff(
            ["exec", "-i", inventory, "app", "-a", "touch /tmp/ran", "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts,
             "--no-agent"], environment: ["NO_COLOR": "1"])
        #expect(exec.status == 5, "\(setting): \(exec.output)")
        #expect(exec.output.contains("app2") && exec.output.contains(detail), "\(setting): \(exec.output)")
        for host in fleet.hosts {
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/ran")), "\(setting): exec ran nothing on any host")
        }
    }
}
