import Foundation
import SkiffTestSupport
import Testing

/// Vault-encrypted variables (files made by ansible-vault, see scripts/make-vault-fixtures) in a real run
/// on a real sshd host: the registry password reaches `docker login` on the host and nowhere else.
@Suite("Ansible Vault in a run")
struct VaultRunTests {
    static let fixtures = DeployEndToEndTests.repository + "/Tests/SkiffPlaybookTests/Fixtures/vault"
    /// Every plaintext of the fixtures and both passwords: none may reach the console or the audit log.
    static let clear = ["Xq7r-9Zk4w-Tb2m-Lp05", "Inl-D4f7-Qs92-Wx3e", "Inl-P8r2-Kc47-Zy6u", "correct-horse-battery", "prod-vault-pass-42"]

    /// group_vars/app.yml is a whole vault file (1.1); vars_files holds inline !vault values (1.1 and 1.2
    /// with the label prod). No variable name looks secret: only vault makes the values secret.
    static func project(_ fleet: DeployEndToEndTests.Fleet) throws -> String {
        try FileManager.default.createDirectory(atPath: fleet.files.file("group_vars"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(fixtures)/vault-1.1.yml", toPath: fleet.files.file("group_vars/app.yml"))
        try FileManager.default.copyItem(atPath: "\(fixtures)/inline.yml", toPath: fleet.files.file("inline.yml"))
        return try fleet.files.write("site.yml", """
            - hosts: app
              gather_facts: false
              vars_files: [inline.yml]
              tasks:
                - name: Log in to the registry
                  community.docker.docker_login:
                    registry_url: registry.example.com
                    username: ci
                    password: "{{ registry_word }}"
                - name: Show the word
                  debug: var=registry_word
                - name: Echo the inline values
                  shell: echo "{{ inline_prod }} {{ inline_default }}"
                - name: Write a file with it
                  copy:
                    content: "word={{ registry_word }}\\n"
                    dest: /tmp/vault-run-word
            """)
    }

    static func skiff(_ fleet: DeployEndToEndTests.Fleet, _ arguments: [String], log: String, environment: [String: String] = [:]) async throws
        -> (status: Int32, output: String)
    {
        try await ExecCommandTests.skiff(
            arguments + ["-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["SKIFF_AUDIT_LOG": log, "NO_COLOR": "1"].merging(environment) { $1 })
    }

    /// A password script: executable, prints the password on stdout (a client script only when asked for
    /// the vault id it was given).
    static func script(_ fleet: DeployEndToEndTests.Fleet, name: String, printing passwordFile: String, askedFor label: String? = nil) throws -> String {
        let check = label.map { "[ \"$*\" = '--vault-id \($0)' ] || exit 9\n" } ?? ""
        let path = try fleet.files.write(name, "#!/bin/sh\n\(check)cat '\(fixtures)/\(passwordFile)'\n")
        try Shell.run(["chmod", "+x", path])
        return path
    }

    @Test func aVaultedRegistryPasswordReachesTheHostButNeitherTheOutputNorTheAuditLog() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try Self.project(fleet)
        let log = fleet.files.file("audit.jsonl")
        let prod = try Self.script(fleet, name: "prod-password-client.sh", printing: "password-prod.txt", askedFor: "prod")
        let run = try await Self.skiff(fleet, [
            playbook, "-vvv", "--diff", "--vault-password-file", "\(Self.fixtures)/password-default.txt", "--vault-id", "prod@\(prod)",
        ], log: log)
        #expect(run.status == 0, "\(run.output)")
        #expect(fleet.hosts[0].dockerLog.contains("stdin: Xq7r-9Zk4w-Tb2m-Lp05"), "the decrypted password was sent: \(fleet.hosts[0].dockerLog)")
        #expect(try String(contentsOfFile: fleet.hosts[0].pathInside("/tmp/vault-run-word"), encoding: .utf8) == "word=Xq7r-9Zk4w-Tb2m-Lp05\n")
        // With an audit log, a secret is shown as its fingerprint.
        #expect(run.output.contains("{\"registry_word\": \"hmac-sha256:"), "\(run.output)")
        let audit = try String(contentsOfFile: log, encoding: .utf8)
        for text in Self.clear {
            #expect(!run.output.contains(text), "\(text) is not shown: \(run.output)")
            #expect(!audit.contains(text), "\(text) is not in the audit log in clear")
        }
        #expect(audit.contains("\"stdout_tail\": \"hmac-sha256:"), "the echoed values are fingerprinted: \(audit)")
    }

    @Test func aPasswordScriptFromTheEnvironmentOpensVaultsInInventoriesGroupVarsDirectoriesAndExtraVars() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try Self.project(fleet)
        let log = fleet.files.file("audit.jsonl")
        // group_vars/all/ is a directory holding a 1.2 vault (group app's file wins for registry_word);
        // a second inventory source is a vault-encrypted INI file.
        try FileManager.default.createDirectory(atPath: fleet.files.file("group_vars/all"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(Self.fixtures)/vault-1.2-prod.yml", toPath: fleet.files.file("group_vars/all/vault.yml"))
        let prod = try fleet.files.write("prod-password.sh", "#!/bin/sh\necho prod-vault-pass-42\n")
        try Shell.run(["chmod", "+x", prod])
        let script = try Self.script(fleet, name: "default-password.sh", printing: "password-default.txt")
        let inventoryWord = try fleet.files.write("inventory-word.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: echo "{{ inventory_word }}"
            """)
        // ANSIBLE_VAULT_PASSWORD_FILE is a script; the 1.2 values (label prod) open with the prod id.
        let run = try await Self.skiff(fleet, [
            playbook, inventoryWord, "--vault-id", "prod@\(prod)", "-i", "\(Self.fixtures)/inventory-vault.ini",
            "-e", "@\(Self.fixtures)/vault-1.2-prod.yml", "-v",
        ], log: log, environment: ["ANSIBLE_VAULT_PASSWORD_FILE": script])
        #expect(run.status == 0, "\(run.output)")
        // -e wins: the login got the word of the 1.2 file.
        #expect(fleet.hosts[0].dockerLog.contains("stdin: Pr0d-Hk28-Vw3q-Jm71"), "\(fleet.hosts[0].dockerLog)")
        let audit = try String(contentsOfFile: log, encoding: .utf8)
        for text in Self.clear + ["Pr0d-Hk28-Vw3q-Jm71", "Inv-K3w9-Rt57-Bn2c"] {
            #expect(!run.output.contains(text), "\(text) is not shown: \(run.output)")
            #expect(!audit.contains(text), "\(text) is not in the audit log in clear")
        }
        #expect(audit.contains("\"extra_vars\": {\"registry_word\": \"hmac-sha256:"), "run_started fingerprints it: \(audit)")
        #expect(run.output.contains("\"stdout\": \"hmac-sha256:"), "the inventory's value was echoed, masked: \(run.output)")

        let failing = try fleet.files.write("failing.sh", "#!/bin/sh\necho 'no vault for you' >&2\nexit 3\n")
        try Shell.run(["chmod", "+x", failing])
        let refused = try await Self.skiff(fleet, [playbook, "--vault-password-file", failing], log: log)
        #expect(refused.status == 5 && refused.output.contains("the vault password script \(failing) failed (exit status 3)"), "\(refused.output)")
    }

    @Test func aWrongOrMissingPasswordStopsTheRunBeforeAnyHostWithTheFileAndLine() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try Self.project(fleet)
        let log = fleet.files.file("audit.jsonl")
        let wrong = try await Self.skiff(fleet, [playbook, "--vault-password-file", "\(Self.fixtures)/password-wrong.txt"], log: log)
        #expect(wrong.status == 5, "\(wrong.output)")
        #expect(wrong.output.contains("inline.yml:2:17: no vault password given opens this (tried vault ids 'default')"), "\(wrong.output)")
        // A playbook without vars_files: the inventory's group_vars/app.yml is the vault that does not open.
        let plain = try fleet.files.write("plain.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n")
        let wrongGroupVars = try await Self.skiff(fleet, [plain, "--vault-password-file", "\(Self.fixtures)/password-wrong.txt"], log: log)
        #expect(wrongGroupVars.status == 5)
        #expect(wrongGroupVars.output.contains("group_vars/app.yml:1:1: no vault password given opens this (tried vault ids 'default')"),
                "\(wrongGroupVars.output)")
        // The whole file opens with the default password; the inline 1.2 value (label prod) does not.
        let partial = try await Self.skiff(fleet, [playbook, "--vault-password-file", "\(Self.fixtures)/password-default.txt"], log: log)
        #expect(partial.status == 5)
        #expect(partial.output.contains("inline.yml:9:14: no vault password given opens this (vault id 'prod') (tried vault ids 'default')"),
                "\(partial.output)")
        let none = try await Self.skiff(fleet, [playbook], log: log)
        #expect(none.status == 5 && none.output.contains("inline.yml:2:17: vault-encrypted, but no vault password was given"), "\(none.output)")
        let ask = try await Self.skiff(fleet, [playbook, "--ask-vault-pass"], log: log)
        #expect(ask.status == 5 && ask.output.contains("there is no terminal to ask on"), "\(ask.output)")
        for run in [wrong, wrongGroupVars, partial, none, ask] {
            for text in Self.clear { #expect(!run.output.contains(text)) }
        }
        #expect(fleet.hosts[0].dockerLog.isEmpty, "no host was contacted")
        #expect(!FileManager.default.fileExists(atPath: log), "no run was started")
    }

    @Test func execReadsAnInventoryWithVaultedGroupVars() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        _ = try Self.project(fleet)
        let log = fleet.files.file("audit.jsonl")
        let exec = ["exec", "app", "-a", "echo reached"]
        let refused = try await Self.skiff(fleet, exec, log: log)
        #expect(refused.status == 5 && refused.output.contains("group_vars/app.yml:1:1: vault-encrypted, but no vault password was given"),
                "\(refused.output)")
        let run = try await Self.skiff(fleet, exec + ["--vault-password-file", "\(Self.fixtures)/password-default.txt"], log: log)
        #expect(run.status == 0 && run.output.contains("reached"), "\(run.output)")
    }
}
