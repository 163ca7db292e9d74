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

    /// An inventory whose group_vars/app.yml is a whole vault file, group_vars/all.yml holds inline
    /// `!vault` values (1.1 and 1.2 with the label prod) and a second source is a vault-encrypted INI
    /// file: the fixtures ansible-vault made (scripts/make-vault-fixtures), beside inventory-list.json,
    /// what ansible-inventory 2.19.14 `--list` prints of it.
    static func vaultedInventory() throws -> (directory: String, arguments: [String]) {
        let fixtures = VaultRunTests.fixtures
        let directory = try Self.scratch([
            "hosts.ini": "[app]\nw1 ansible_host=127.0.0.1\n",
            "group_vars/app.yml": try String(contentsOfFile: "\(fixtures)/vault-1.1.yml", encoding: .utf8),
            "group_vars/all.yml": try String(contentsOfFile: "\(fixtures)/inline.yml", encoding: .utf8),
        ])
        return (directory, ["inventory", "-i", "\(directory)/hosts.ini", "-i", "\(fixtures)/inventory-vault.ini"])
    }

    static func json(_ text: String) -> NSDictionary? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSDictionary
    }

    /// With the vault passwords given as for a run, `--show-secrets` prints what ansible-inventory prints
    /// (vault files' values decrypted, inline values as their vault text); by default the vault files'
    /// values are `********`, and the inline values stay vault text.
    @Test func vaultedInventoryListsAsAnsibleInventoryWithSecretsMasked() async throws {
        let (directory, inventory) = try Self.vaultedInventory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixtures = VaultRunTests.fixtures
        let prod = "\(directory)/prod-password.sh"
        try "#!/bin/sh\necho prod-vault-pass-42\n".write(toFile: prod, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: prod)
        let passwords = ["--vault-password-file", "\(fixtures)/password-default.txt", "--vault-id", "prod@\(prod)"]

        let shown = try await ExecCommandTests.skiff(inventory + passwords + ["--list", "--show-secrets"])
        #expect(shown.status == 0, "\(shown.output)")
        let theirs = Self.json(try String(contentsOfFile: "\(fixtures)/inventory-list.json", encoding: .utf8))
        #expect(theirs != nil && Self.json(shown.output) == theirs, "\(shown.output)")

        let clear = ["Xq7r-9Zk4w-Tb2m-Lp05", "deployer", "Inv-K3w9-Rt57-Bn2c", "Inl-D4f7-Qs92-Wx3e", "Inl-P8r2-Kc47-Zy6u"]
        for command in [["--list"], ["--host", "w1"]] {
            let masked = try await ExecCommandTests.skiff(inventory + passwords + command)
            #expect(masked.status == 0, "\(masked.output)")
            for secret in clear { #expect(!masked.output.contains(secret), "\(command): \(masked.output)") }
            let vars = Self.json(masked.output).flatMap { command == ["--list"] ? ($0["_meta"] as? NSDictionary)?["hostvars"] as? NSDictionary : ["w1": $0] }
            let w1 = vars?["w1"] as? [String: Any] ?? [:]
            #expect(w1["registry_word"] as? String == "********" && w1["registry_user"] as? String == "********", "\(masked.output)")
            #expect(w1["inventory_word"] as? String == "********", "an encrypted INI inventory's values too")
            #expect(w1["plain_setting"] as? String == "visible" && w1["ansible_host"] as? String == "127.0.0.1")
            let inline = (w1["inline_prod"] as? [String: String])?["__ansible_vault"]
            #expect(inline?.hasPrefix("$ANSIBLE_VAULT;1.2;AES256;prod\n6362") == true, "\(masked.output)")
        }

        // --graph needs the passwords too (the INI inventory is encrypted), and shows no values.
        let graph = try await ExecCommandTests.skiff(inventory + passwords + ["--graph"])
        #expect(graph.status == 0 && graph.output.contains("|--w1"), "\(graph.output)")
    }

    @Test func aVaultedInventoryWithoutTheRightPasswordIsInvalidInput() async throws {
        let (directory, inventory) = try Self.vaultedInventory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixtures = VaultRunTests.fixtures
        let none = try await ExecCommandTests.skiff(inventory + ["--list"])
        #expect(none.status == 5 && none.output.contains("no vault password was given"), "\(none.output)")
        let wrong = try await ExecCommandTests.skiff(
            inventory + ["--list", "--vault-password-file", "\(fixtures)/password-wrong.txt", "--vault-id", "prod@\(fixtures)/password-prod.txt"])
        #expect(wrong.status == 5 && wrong.output.contains("\(fixtures)/inventory-vault.ini:1:1: no vault password given opens this"), "\(wrong.output)")
        for run in [none, wrong] {
            for secret in ["Xq7r-9Zk4w-Tb2m-Lp05", "Inl-D4f7-Qs92-Wx3e", "Inv-K3w9-Rt57-Bn2c"] { #expect(!run.output.contains(secret)) }
        }
        let asked = try await ExecCommandTests.skiff(inventory + ["--list", "--ask-vault-pass"])
        #expect(asked.status == 5 && asked.output.contains("no terminal to ask on"), "\(asked.output)")
    }

    /// `--ask-vault-pass` on a real terminal: the password is asked for once, not echoed, and opens the vaults.
    @Test func theVaultPasswordIsAskedOnATerminal() async throws {
        let (directory, inventory) = try Self.vaultedInventory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixtures = VaultRunTests.fixtures
        let (status, shown) = try await VarsPromptTerminalTests.converse(
            inventory + ["--host", "w1", "--ask-vault-pass", "--vault-id", "prod@\(fixtures)/password-prod.txt"],
            answers: [("Vault password: ", "correct-horse-battery")], environment: ["NO_COLOR": "1"])
        #expect(status == 0, "\(shown)")
        #expect(shown.contains(#""registry_word": "********""#) && shown.contains(#""plain_setting": "visible""#), "\(shown)")
        #expect(!shown.contains("correct-horse-battery"), "the answer is not echoed: \(shown)")
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
