import Foundation
import SkiffTestSupport
import Testing

/// `skiff inventory` and the inventory checks of `skiff playbook`, through the built binary.
@Suite("skiff inventory")
struct InventoryCommandTests {
    static func scratch(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "inventory-command-\(UUID().uuidString)"
        for (path, text) in files {
            let full = "\(directory)/\(path)"
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return directory
    }

    static let secretInventory = """
        [web]
        w1 ansible_password=hunter2-ssh ansible_become_password='sudo pass' api_token=tok-123456
        [web:vars]
        ansible_user=deploy
        db={'password': 'nested-pw', 'host': 'db1'}
        """

    @Test func listAndHostMaskSecretsUnlessAskedToShowThem() async throws {
        let directory = try Self.scratch(["hosts": Self.secretInventory])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secrets = ["hunter2-ssh", "sudo pass", "tok-123456", "nested-pw"]
        for command in [["--list"], ["--host", "w1"]] {
            let masked = try await ExecCommandTests.skiff(["inventory", "-i", "\(directory)/hosts"] + command)
            #expect(masked.status == 0, "\(masked.output)")
            for secret in secrets { #expect(!masked.output.contains(secret), "\(command): \(masked.output)") }
            #expect(masked.output.contains(#""ansible_password": "********""#), "\(masked.output)")
            #expect(masked.output.contains(#""ansible_user": "deploy""#), "other variables are shown as they are")
            #expect(masked.output.contains(#""host": "db1""#))

            let shown = try await ExecCommandTests.skiff(["inventory", "-i", "\(directory)/hosts", "--show-secrets"] + command)
            #expect(shown.status == 0, "\(shown.output)")
            for secret in secrets { #expect(shown.output.contains(secret), "\(command): \(shown.output)") }
        }
    }

    @Test func anInvalidPortIsInvalidInputFoundBeforeAnyHost() async throws {
        for (inventory, problem) in [("[web]\nw1 ansible_host=127.0.0.1 ansible_port=abc\n", "ansible_port: 'abc'"),
                                     ("[web]\nw1 ansible_host=127.0.0.1\n[web:vars]\nansible_port=70000\n", "ansible_port: 70000")] {
            let directory = try Self.scratch(["hosts": inventory, "site.yml": "- hosts: web\n  gather_facts: no\n  tasks:\n    - command: 'true'\n"])
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let run = try await ExecCommandTests.skiff(["playbook", "-i", "\(directory)/hosts", "\(directory)/site.yml"])
            #expect(run.status == 5, "\(run.output)")
            #expect(run.output.contains("\(directory)/hosts:"), "the inventory place is named: \(run.output)")
            #expect(run.output.contains(problem), "\(run.output)")
            #expect(!run.output.contains("UNREACHABLE"), "no host was contacted: \(run.output)")
        }
    }
}
