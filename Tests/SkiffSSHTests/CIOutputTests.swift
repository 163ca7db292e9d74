import Foundation
import SkiffTestSupport
import Testing

/// What CI systems read: JSON lines with a schema and the run id, JUnit that stays valid XML, exit 5 for
/// any invalid input (usage errors too), and colours when FORCE_COLOR asks for them.
@Suite("CI output")
struct CIOutputTests {
    static func isValidXML(_ path: String) -> Bool {
        (try? Shell.run(["python3", "-c", "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])", path])) != nil
    }

    @Test func jsonEventsCarryTheRunAndASchemaAndJUnitSurvivesControlCharacters() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("colours.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: Coloured failure
                  shell: printf '\\033[31mred alert\\033[0m\\001' >&2; exit 1
            """)
        let junit = fleet.files.file("report.xml")
        let (status, output) = try await ExecCommandTests.skiff(
            [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent",
             "--output", "json", "--junit", junit, "--no-lock"], environment: ["NO_COLOR": "1"])
        #expect(status == 2, "\(output)")
        let events = output.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.first?["event"] as? String == "run_start")
        #expect(events.first?["schema_version"] as? Int == 1)
        let run = try #require(events.first?["run"] as? String)
        #expect(events.count > 3 && events.allSatisfy { $0["run"] as? String == run }, "every event names the run")
        #expect(events.filter { $0["event"] as? String == "host_result" }.allSatisfy { $0["host"] as? String == "app1" })
        let report = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(Self.isValidXML(junit), "\(report)")
        #expect(report.contains("\\u{1B}[31mred alert"), "\(report)")
    }

    @Test func invalidInputIsAJSONEventAJUnitFailureAndExitFive() async throws {
        let files = try ScratchDirectory("invalid")
        let playbook = try files.write("broken.yml", "- hosts: all\n  tasks:\n    - name: x\n      no_such_module_here: {}\n")
        let inventory = try files.write("hosts.ini", "[app]\nweb1\n")
        let junit = files.file("report.xml")
        let (status, output) = try await ExecCommandTests.skiff([playbook, "-i", inventory, "--output", "json", "--junit", junit])
        #expect(status == 5, "\(output)")
        let event = try #require(output.split(separator: "\n").first { $0.hasPrefix("{") }.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        #expect(event["event"] as? String == "error" && event["exit_code"] as? Int == 5 && event["schema_version"] as? Int == 1)
        #expect((event["msg"] as? String)?.contains("broken.yml:4:") == true, "\(event)")
        #expect(Self.isValidXML(junit))
        #expect(try String(contentsOfFile: junit, encoding: .utf8).contains("<failure message=\"invalid input\""))
    }

    @Test func usageErrorsExitFiveAndForceColorColours() async throws {
        let wrongOption = try await ExecCommandTests.skiff(["--forks", "many", "playbook.yml"])
        #expect(wrongOption.status == 5, "\(wrongOption.output)")
        #expect(wrongOption.output.contains("forks"), "says what was wrong: \(wrongOption.output)")
        #expect(try await ExecCommandTests.skiff(["audit", "list", "--no-such-flag"]).status == 5)

        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("ok.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n")
        let arguments = [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts,
                         "--no-agent", "--no-lock"]
        let forced = try await ExecCommandTests.skiff(arguments, environment: ["FORCE_COLOR": "1", "NO_COLOR": ""])
        #expect(forced.status == 0 && forced.output.contains("\u{1B}["), "coloured without a terminal: \(forced.output)")
        let both = try await ExecCommandTests.skiff(arguments, environment: ["FORCE_COLOR": "1", "NO_COLOR": "1"])
        #expect(both.status == 0 && !both.output.contains("\u{1B}["), "NO_COLOR wins")
    }
}

extension CIOutputTests {
    /// `no_log` hides a task's output, never why the host could not be reached.
    @Test func noLogNeverHidesWhyAHostIsUnreachable() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("secret.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: Log in
                  command: "true"
                  no_log: true
            """)
        let empty = try fleet.files.write("empty_known_hosts", "")
        let (status, output) = try await ExecCommandTests.skiff(
            [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", empty, "--no-agent", "--no-lock"],
            environment: ["NO_COLOR": "1"])
        #expect(status == 4, "\(output)")
        #expect(output.contains("UNREACHABLE!") && output.contains("SHA256:"), "the unknown host key and its fingerprint are shown: \(output)")
        #expect(!output.contains("has been hidden"), "\(output)")
    }
}
