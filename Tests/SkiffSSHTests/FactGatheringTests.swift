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

    /// `gather_subset` on the play gathers only what it names (the other facts are undefined and their
    /// programs never start), and a `setup` task gathers its own subset into the host's facts.
    @Test func gatherSubsetOnThePlayAndTheSetupModuleGatherOnlyWhatIsAsked() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: true
              gather_subset: ['!all', '!min', 'network']
              gather_timeout: 20
              tasks:
                - shell: echo "{{ ansible_default_ipv4.address | default('none') }} {{ ansible_distribution | default('absent') }} {{ ansible_env | default('absent') }}" > /tmp/subset
                - setup:
                    gather_subset: [min]
                    filter: ansible_distribution*
                  register: gathered
                - shell: echo "{{ ansible_distribution }} {{ gathered.ansible_facts.keys() | sort | join(',') }} {{ ansible_kernel | default('absent') }}" > /tmp/setup
            """, extra: ["-vvv", "--gather-facts", "always"])
        #expect(status == 0, "\(output)")
        let subset = AnsibleFidelityRunnerTests.contents(fleet.hosts[0], "/tmp/subset")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        #expect(subset.hasSuffix(" absent absent") && !subset.hasPrefix(" "), "network facts only: \(subset)")
        let commands = output.components(separatedBy: "--env--")[0]
        #expect(commands.contains("ip -4 route get") && !commands.contains("lsb_release") && !commands.contains("getent"), "\(output)")
        let setup = AnsibleFidelityRunnerTests.contents(fleet.hosts[0], "/tmp/setup")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        #expect(setup.hasPrefix("Debian ansible_distribution,ansible_distribution_major_version,"), "\(setup)")
        #expect(setup.hasSuffix(" absent"), "filtered: no kernel fact: \(setup)")
    }
}
