import Foundation
import SkiffTestSupport
import Testing

/// Play keywords templated as ansible-playbook templates them. Measured with ansible-core 2.19.14 (local
/// connection) on the same shape of playbook with `-e do_facts=false`: the first play ran on h1 and h3
/// (`hosts` a list), neither play gathered facts (`ansible_facts` was an empty mapping), and
/// `gather_facts: "false"` (a string) did not gather either.
@Suite("templated play keywords")
struct PlayKeywordTests {
    @Test func hostsAsAListAndTemplatedGatherFactsAreAnsibles() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: "{{ targets }}"
              gather_facts: "{{ do_facts | bool }}"
              vars:
                targets: [app1, app3]
              tasks:
                - shell: echo "{{ ansible_facts | length }}" > /tmp/first
            - hosts: app2
              gather_facts: "false"
              tasks:
                - shell: touch /tmp/second
            """, hosts: 3, extra: ["-e", "do_facts=false"])
        #expect(status == 0, "\(output)")
        #expect(!output.contains("Gathering Facts"), "no facts gathered: \(output)")
        let ran = fleet.hosts.map { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/first")) }
        #expect(ran == [true, false, true], "the first play ran on app1 and app3: \(ran)")
        #expect(try String(contentsOfFile: fleet.hosts[0].pathInside("/tmp/first"), encoding: .utf8) == "0\n", "ansible_facts is empty, not undefined")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[1].pathInside("/tmp/second")))

        let gathering = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: "{{ do_facts | bool }}"
              tasks:
                - shell: echo "{{ ansible_facts.system }}" > /tmp/system
            """, extra: ["-e", "do_facts=yes"])
        #expect(gathering.status == 0 && gathering.output.contains("TASK [Gathering Facts]"), "\(gathering.output)")

        let invalid = try await RunnerFeatureTests.run("- hosts: app\n  gather_facts: sometimes\n  tasks:\n    - command: \"true\"\n")
        #expect(invalid.status == 5 && invalid.output.contains("gather_facts must be a boolean"), "\(invalid.output)")
    }
}

extension PlayKeywordTests {
    /// ansible-core 2.19.14 printed, for `debug: msg="{{ playbook_dir }} {{ ansible_run_tags }} {{ ansible_skip_tags }}"`
    /// run from the playbook's parent directory: `/tmp/modet ['deploy'] ['other']` with `--tags deploy
    /// --skip-tags other`, and `/tmp/modet ['all'] []` without.
    @Test func playbookDirIsAbsoluteAndTheTagsAreVariables() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("magic.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - debug: msg="{{ playbook_dir }} {{ ansible_run_tags }} {{ ansible_skip_tags }}"
                  tags: [deploy]
            """)
        let common = ["-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"]
        let tagged = try await ExecCommandTests.skiff([playbook, "--tags", "deploy", "--skip-tags", "other"] + common, environment: ["NO_COLOR": "1"])
        #expect(tagged.output.contains("\"msg\": \"\(fleet.files.path) ['deploy'] ['other']\""), "\(tagged.output)")
        let plain = try await ExecCommandTests.skiff([playbook] + common, environment: ["NO_COLOR": "1"])
        #expect(plain.output.contains("\"msg\": \"\(fleet.files.path) ['all'] []\""), "\(plain.output)")
    }
}

extension PlayKeywordTests {
    /// ansible-core 2.19.14 shows `debug: var=x` as `"x": {"a": 1}` (not a message), and an undefined
    /// variable as `"nope": "<< error 1 - 'nope' is undefined >>"` without failing the task.
    @Test func debugVarShowsTheVariableAndAnUndefinedOneDoesNotFail() async throws {
        let (status, output, _) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              vars:
                x: {a: 1}
                db_password: "hunter2-secret-value"
              tasks:
                - debug: var=x
                - debug:
                    var: nope
                - debug: var=db_password
            """)
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok: [app1] => {\"x\": {\"a\": 1}}"), "\(output)")
        #expect(output.contains("ok: [app1] => {\"nope\": \"<< error 1 - 'nope' is undefined"), "\(output)")
        #expect(!output.contains("hunter2-secret-value"), "a secret shown by var is masked: \(output)")
    }

    /// ansible-core 2.19.14 shows `debug: msg=` with the message's type: `"msg": 3`, `"msg": [1, 2]`
    /// (a variable whose template gives a number stays a number).
    @Test func debugMsgKeepsItsType() async throws {
        let (status, output, _) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              vars:
                a: "{{ b }}"
                b: 3
              tasks:
                - debug: msg="{{ a }}"
                - debug:
                    msg: [1, "two"]
            """)
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok: [app1] => {\"msg\": 3}"), "\(output)")
        #expect(output.contains("ok: [app1] => {\"msg\": [1, \"two\"]}"), "\(output)")
    }
}
