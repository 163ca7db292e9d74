import Foundation
import SkiffTestSupport
import Testing

/// Facts are gathered only for plays that read them (`--gather-facts auto`, the default), as Ansible's
/// `gather_facts: true` would otherwise cost every deploy its most expensive command; `always` restores
/// Ansible's behaviour.
@Suite("fact gathering only when needed")
struct FactGatheringTests {
    static let playbook = """
        - name: Report
          hosts: app
          tasks:
            - shell: echo "{{ ansible_hostname }}" > /tmp/hostname
        - name: Deploy
          hosts: app
          tasks:
            - shell: echo deployed {{ inventory_hostname }}
        """

    @Test func aPlayThatReadsNoFactSkipsGatheringAndOneThatDoesGathers() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run(Self.playbook, extra: ["-vvv"], ownAuditLog: true)
        #expect(status == 0, "\(output)")
        #expect(output.contains("play 'Deploy': facts not gathered, no task of this play or a later one reads them"), "\(output)")
        #expect(!output.contains("play 'Report': facts not gathered"), "\(output)")
        // The facts command ran once per host: for the first play only (facts stay for later plays, so a
        // play gathers when it or a later one reads them).
        #expect(output.components(separatedBy: "--env--").count - 1 == 1, "\(output)")
        let hostname = AnsibleFidelityRunnerTests.contents(fleet.hosts[0], "/tmp/hostname")?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hostname?.isEmpty == false, "the fact was there: \(output)")
        let audit = try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8)
        #expect(audit.contains("\"gather_facts\": \"auto\"") && audit.contains("\"type\": \"note\""), "\(audit)")
    }

    @Test func alwaysGathersForEveryPlay() async throws {
        let (status, output, _) = try await RunnerFeatureTests.run(Self.playbook, extra: ["-vvv", "--gather-facts", "always"])
        #expect(status == 0, "\(output)")
        #expect(!output.contains("facts not gathered"), "\(output)")
        #expect(output.components(separatedBy: "--env--").count - 1 == 2, "\(output)")
    }
}
