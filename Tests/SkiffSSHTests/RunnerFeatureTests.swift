import Foundation
import SkiffTestSupport
import Testing

/// Runner behaviour on real hosts: facts, loops, until, when/register, rescue, serial.
@Suite("runner features")
struct RunnerFeatureTests {
    /// Runs the playbook on new hosts; with `ownAuditLog`, the run's audit log is the fleet's `audit.jsonl`.
    static func run(
        _ playbook: String, hosts count: Int = 1, extra: [String] = [], ownAuditLog: Bool = false, environment more: [String: String] = [:],
        in given: DeployEndToEndTests.Fleet? = nil
    ) async throws -> (status: Int32, output: String, fleet: DeployEndToEndTests.Fleet) {
        let fleet: DeployEndToEndTests.Fleet
        if let given { fleet = given } else { fleet = try await DeployEndToEndTests.fleet(count) }
        let path = try fleet.files.write("playbook.yml", playbook)
        var environment = more.merging(["NO_COLOR": "1"]) { $1 }
        if ownAuditLog { environment["SKIFF_AUDIT_LOG"] = fleet.files.file("audit.jsonl") }
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, path, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent", "-v"] + extra,
            environment: environment)
        return (status, output, fleet)
    }

    /// `vars_files: ["vars/{{ stage }}.yml"]` reads the file -e names when the play starts (it was ignored:
    /// the play ran without its variables); a file that does not exist is an error before any task.
    @Test func templatedVarsFilesAreReadWhenThePlayStarts() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        try FileManager.default.createDirectory(atPath: fleet.files.file("vars"), withIntermediateDirectories: true)
        _ = try fleet.files.write("vars/prod.yml", "region: eu-prod\n")
        let playbook = """
            - hosts: app
              gather_facts: false
              vars_files:
                - "vars/{{ stage }}.yml"
              tasks:
                - shell: echo {{ region }} > /tmp/region
            """
        let (status, output, _) = try await Self.run(playbook, extra: ["-e", "stage=prod"], in: fleet)
        #expect(status == 0, "\(output)")
        #expect(try String(contentsOfFile: fleet.hosts[0].pathInside("/tmp/region"), encoding: .utf8) == "eu-prod\n")
        try? FileManager.default.removeItem(atPath: fleet.hosts[0].pathInside("/tmp/region"))
        let (missing, missingOutput, _) = try await Self.run(playbook, extra: ["-e", "stage=nope"], in: fleet)
        #expect(missing != 0 && missingOutput.contains("vars/nope.yml"), "\(missingOutput)")
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/region")), "no task ran")
    }

    @Test func factsLoopsUntilWhenRegisterAndRescue() async throws {
        let (status, output, fleet) = try await Self.run("""
            - hosts: app
              tasks:
                - name: Facts are there
                  shell: echo "{{ ansible_distribution }} {{ ansible_facts.system }} {{ ansible_user_id }} {{ inventory_hostname }}" > /tmp/facts
                - name: Loop
                  shell: echo {{ item }} >> /tmp/loop
                  loop: [a, b, c]
                - name: Until
                  shell: echo x >> /tmp/count; wc -l < /tmp/count
                  register: counted
                  until: counted.stdout | int >= 3
                  retries: 5
                  delay: 0
                - name: Skipped
                  shell: touch /tmp/skipped
                  when: counted.stdout | int > 100
                - block:
                    - name: Fails
                      command: /bin/false
                  rescue:
                    - name: Rescued
                      shell: touch /tmp/rescued
            """)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        let facts = try String(contentsOfFile: host.pathInside("/tmp/facts"), encoding: .utf8)
        #expect(facts.hasSuffix(" Linux root app1\n"), "facts: \(facts)")
        #expect(!facts.hasPrefix(" "), "ansible_distribution is set: \(facts)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/loop"), encoding: .utf8) == "a\nb\nc\n")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/count"), encoding: .utf8) == "x\nx\nx\n", "until retried until it held")
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/skipped")))
        #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/rescued")))
        #expect(output.contains("TASK [Gathering Facts]"))
        #expect(output.contains("skipping: [app1]"))
        #expect(output.contains("changed: [app1] => (item=b)"))
    }

    @Test func serialWithMaxFailPercentageZeroStopsLaterBatches() async throws {
        let (status, output, fleet) = try await Self.run("""
            - hosts: app
              gather_facts: false
              serial: 2
              max_fail_percentage: 0
              tasks:
                - name: First batch fails on app1
                  shell: touch /tmp/ran; test {{ inventory_hostname }} != app1
            """, hosts: 4)
        #expect(status == 2, "\(output)")
        let ran = fleet.hosts.map { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/ran")) }
        #expect(ran == [true, true, false, false], "later batches never start: \(ran)")
    }

    @Test func includeTasksLoopsWithVarsAndTheRecapCountsALoopOnce() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        try fleet.files.write("per-service.yml", """
            - name: Start {{ service }}
              shell: echo "{{ service }} {{ n }} {{ registry }}" >> /tmp/started
            - name: Fail on {{ service }}
              shell: "false"
              when: service == fail_on
            """)
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              vars:
                fail_on: none
              tasks:
                - name: Each service
                  include_tasks: per-service.yml
                  loop: [web, worker]
                  loop_control: {loop_var: service, index_var: n}
                  vars:
                    registry: registry.example.com
                - name: Ports
                  shell: echo "{{ item.key }}={{ item.value }}" >> /tmp/ports
                  with_dict: {http: 80, https: 443}
            """)
        let arguments = ["-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"]
        let (status, output) = try await ExecCommandTests.skiff(arguments, environment: ["NO_COLOR": "1"])
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(try String(contentsOfFile: host.pathInside("/tmp/started"), encoding: .utf8)
                == "web 0 registry.example.com\nworker 1 registry.example.com\n", "each item ran the included tasks in order, with the include's vars")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/ports"), encoding: .utf8) == "http=80\nhttps=443\n")
        #expect(output.contains("ok: [app1] => (item=web)"), "\(output)")
        #expect(output.contains("changed: [app1] => (item={\"key\": \"https\", \"value\": 443})"), "\(output)")
        // ok: the include (1), Start ×2, Ports (1, its two items not counted apart); skipped: Fail ×2.
        #expect(output.contains("app1                       : ok=4     changed=3   unreachable=0   failed=0   skipped=2"), "\(output)")

        let failing = try await ExecCommandTests.skiff(arguments + ["-e", "fail_on=web"], environment: ["NO_COLOR": "1"])
        #expect(failing.status == 2, "\(failing.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/started"), encoding: .utf8).components(separatedBy: "\n").count == 4,
                "the failed item stopped the host: worker never started")
    }

    @Test func startAtTaskResumesADeployHalfWay() async throws {
        let playbook = """
            - name: Prepare
              hosts: app
              gather_facts: false
              tasks:
                - name: Log in
                  shell: touch /tmp/login
            - name: Deploy
              hosts: app
              tasks:
                - block:
                    - name: Copy the compose file
                      shell: touch /tmp/copied
                    - name: Start the stack
                      shell: echo "{{ ansible_system }}" > /tmp/up
                  always:
                    - name: Clean up
                      shell: touch /tmp/cleaned
                - name: Check health
                  shell: touch /tmp/health
            """
        let (status, output, fleet) = try await Self.run(playbook, hosts: 2, extra: ["--start-at-task", "Start the*"], ownAuditLog: true)
        #expect(status == 0, "\(output)")
        for host in fleet.hosts {
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/login")), "the earlier play is left out")
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/copied")), "the earlier task is left out")
            #expect(try String(contentsOfFile: host.pathInside("/tmp/up"), encoding: .utf8) == "Linux\n", "facts were gathered")
            #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/cleaned")))
            #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/health")))
        }
        #expect(!output.contains("Copy the compose file"))
        let audit = try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8)
        #expect(audit.contains("\"start_at_task\": \"Start the*\""), "the audit log says where the run began")

        let missing = try await Self.run(playbook, extra: ["--start-at-task", "Start teh stack"])
        #expect(missing.status == 5, "\(missing.output)")
        #expect(missing.output.contains("--start-at-task 'Start teh stack': no task of"))
        #expect(!FileManager.default.fileExists(atPath: missing.fleet.hosts[0].pathInside("/tmp/login")), "no host is contacted")
    }
}

@Suite("delegation")
struct DelegationTests {
    @Test func delegateToLocalhostRunsOnTheController() async throws {
        let marker = "/var/tmp/skiff-delegated-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: On the controller
                  shell: echo {{ inventory_hostname }} > \(marker)
                  delegate_to: localhost
                - name: On the host
                  shell: touch /tmp/on-host
            """)
        #expect(status == 0, "\(output)")
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "app1\n", "ran on the controller with the host's variables")
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/on-host")))
    }

    @Test func anInventoryHostWithALocalConnectionRunsOnTheController() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        // The test hosts have a private /tmp: the same path names a file on the controller and one on the host.
        let marker = "/tmp/skiff-local-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let inventory = try fleet.files.write("with-local.ini", (try String(contentsOfFile: fleet.inventory, encoding: .utf8))
            + "\n[ci]\nrunner ansible_connection=local\n")
        let playbook = try fleet.files.write("local.yml", """
            - hosts: app:ci
              gather_facts: false
              tasks:
                - shell: echo {{ inventory_hostname }} >> \(marker)
                - name: Over its timeout on the controller
                  shell: sleep 31.5; touch \(marker)-late
                  timeout: 1
                  ignore_errors: true
                  when: inventory_hostname == 'runner'
            """)
        defer { try? FileManager.default.removeItem(atPath: marker + "-late") }
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", inventory, playbook, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent", "--no-lock"])
        // A run that had waited for the command (its timeout not enforced) would find the late file made.
        #expect(!FileManager.default.fileExists(atPath: marker + "-late"), "the 1 s timeout stopped the 31.5 s command before it ended")
        #expect(status == 0, "\(output)")
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "runner\n", "only the local host wrote on the controller")
        #expect(try String(contentsOfFile: fleet.hosts[0].pathInside(marker), encoding: .utf8) == "app1\n", "the SSH host wrote on the host")
        #expect(output.contains("timed out after 1"), "\(output)")
        let left = try await offPool { (try? Shell.run(["pgrep", "-f", "sleep 31.5"])) ?? "" }
        #expect(left.isEmpty, "the command's children were stopped too: \(left)")
    }
}

@Suite("inspection on a real host")
struct InspectionOnHostTests {
    @Test func statSlurpAndWaitFor() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - shell: printf 'hello' > /tmp/greeting && chmod 640 /tmp/greeting
                - stat:
                    path: /tmp/greeting
                  register: greeting
                - slurp:
                    src: /tmp/greeting
                  register: content
                - name: The port sshd listens on is open
                  wait_for:
                    host: 127.0.0.1
                    port: "{{ ansible_port }}"
                    timeout: 10
                - wait_for:
                    path: /tmp/greeting
                    search_regex: hel+o
                    timeout: 5
                - name: Record what was seen
                  shell: echo "{{ greeting.stat.mode }} {{ greeting.stat.size }} {{ content.content | b64decode }}" > /tmp/seen
                - name: A missing file times out
                  wait_for:
                    path: /tmp/never
                    timeout: 1
                  ignore_errors: true
            """)
        #expect(status == 0, "\(output)")
        #expect(try String(contentsOfFile: fleet.hosts[0].pathInside("/tmp/seen"), encoding: .utf8) == "0640 5 hello\n")
        #expect(output.contains("...ignoring"))
        #expect(output.contains("Timeout when waiting for /tmp/never present"))
    }
}

@Suite("check mode on real hosts")
struct CheckModeTests {
    @Test func checkChangesNothingOnAnyHost() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - copy:
                    content: "new"
                    dest: /tmp/copied
                - file:
                    path: /tmp/dir
                    state: directory
                - shell: touch /tmp/shell-ran
                - name: Runs even under --check
                  shell: touch /tmp/forced
                  check_mode: false
            """, hosts: 2, extra: ["--check"])
        #expect(status == 0, "\(output)")
        for host in fleet.hosts {
            for path in ["/tmp/copied", "/tmp/dir", "/tmp/shell-ran"] {
                #expect(!FileManager.default.fileExists(atPath: host.pathInside(path)), "\(path) untouched under --check")
            }
            #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/forced")))
        }
        #expect(output.contains("changed: [app1]"), "copy and file report what they would change")
        #expect(output.contains("skipping: [app1]"), "commands are skipped")
    }
}

@Suite("uri health checks")
struct URITests {
    @Test func statusCodesAndContent() async throws {
        let web = try ScratchDirectory("web")
        try web.write("health", "healthy")
        let server = try StaticHTTPServer(directory: web.path)
        defer { server.stop() }
        let port = server.port
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: Wait for the web server
                  wait_for:
                    port: \(port)
                    timeout: 20
                - name: Health
                  uri:
                    url: http://127.0.0.1:\(port)/health
                    return_content: true
                  register: health
                - shell: echo "{{ health.status }} {{ health.content }}" > /tmp/health
                - name: Missing page
                  uri:
                    url: http://127.0.0.1:\(port)/missing
                  ignore_errors: true
                - name: Expected 404
                  uri:
                    url: http://127.0.0.1:\(port)/missing
                    status_code: [404]
            """)
        #expect(status == 0, "\(output)")
        #expect(try String(contentsOfFile: fleet.hosts[0].pathInside("/tmp/health"), encoding: .utf8) == "200 healthy\n")
        // ansible-core 2.19.14 says, for the same server: "Status code was 404 and not [200]: HTTP Error 404: File not found".
        #expect(output.contains("\"msg\": \"Status code was 404 and not [200]: HTTP Error 404: File not found\""), "\(output)")
    }
}
