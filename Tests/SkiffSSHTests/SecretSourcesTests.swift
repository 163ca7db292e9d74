import Foundation
import SkiffTestSupport
import Testing

/// Secrets known by more than their variable's name: `--secret-var NAME`, and the controller's
/// environment variables with secret-looking names read with `lookup('env', …)`, whatever variable
/// holds them. Neither reaches the console nor the audit log.
@Suite("secrets declared on the command line and read from the environment")
struct SecretSourcesTests {
    @Test func secretVarAndSecretEnvironmentLookupsAreMaskedEverywhere() async throws {
        let playbook = """
            - hosts: app
              gather_facts: false
              vars:
                registry_login: "{{ lookup('env', 'REGISTRY_PASSWORD') }}"
                other: "{{ lookup('env', 'PLAIN_SETTING') }}"
              tasks:
                - shell: echo "login={{ registry_login }} dsn={{ dsn }} plain={{ other }}"
            """
        let (status, output, fleet) = try await RunnerFeatureTests.run(
            playbook, extra: ["-e", "dsn=postgres://deploy:dsn-canary-5521@db/app", "--secret-var", "dsn"],
            ownAuditLog: true, environment: ["REGISTRY_PASSWORD": "env-canary-8830", "PLAIN_SETTING": "visible-setting"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("plain=visible-setting"), "a value under a plain name is shown: \(output)")
        #expect(output.contains("login=hmac-sha256:") && output.contains("dsn=hmac-sha256:"), "fingerprints, as every secret with an audit log: \(output)")
        let audit = try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8)
        for canary in ["env-canary-8830", "dsn-canary-5521"] {
            #expect(!output.contains(canary), "\(canary) on the console: \(output)")
            #expect(!audit.contains(canary), "\(canary) in the audit log")
        }
    }
}
