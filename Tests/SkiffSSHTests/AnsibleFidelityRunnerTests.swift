import Foundation
import SkiffTestSupport
import Testing

/// Runner behaviour checked against ansible-core 2.19.14 (`ansible-playbook` with `connection: local`,
/// three hosts h1..h3 in the recordings): what ansible-playbook printed or did is quoted beside each test.
@Suite("ansible fidelity: runner")
struct AnsibleFidelityRunnerTests {
    /// The TASK (and RUNNING HANDLER) headers of a console output, in order.
    static func headers(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line -> String? in
            guard let start = line.range(of: "TASK [") ?? line.range(of: "HANDLER ["), let end = line.range(of: "]", range: start.upperBound..<line.endIndex)
            else { return nil }
            return String(line[start.upperBound..<end.lowerBound])
        }
    }

    static func contents(_ host: TestHost, _ path: String) -> String? {
        try? String(contentsOfFile: host.pathInside(path), encoding: .utf8)
    }

    static func registerThenRead(strategy: String, last: String) -> String {
        registerThenReadTemplate.replacingOccurrences(of: "STRATEGY", with: strategy).replacingOccurrences(of: "LAST", with: last)
    }

    static let registerThenReadTemplate = """
        - hosts: app
          gather_facts: false
          STRATEGY
          tasks:
            - name: Each host registers
              shell: "if [ {{ inventory_hostname }} != app1 ]; then sleep 2; fi; echo from-{{ inventory_hostname }}"
              register: out
            - name: app1 reads the last host's result
              shell: echo "{{ hostvars['LAST'].out.stdout | default('NOTHING') }}" > /tmp/seen
              when: inventory_hostname == 'app1'
            - name: Third
              shell: "true"
        """

    /// ansible-playbook (linear, the default): h1's second task printed `"msg": "from-h3"`; the headers
    /// were `TASK [Each host registers]`, `TASK [h1 reads h3's result]`, `TASK [Third]`, each once.
    @Test func linearIsTheDefaultEveryHostFinishesATaskBeforeTheNextStarts() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run(Self.registerThenRead(strategy: "", last: "app3"), hosts: 3)
        #expect(status == 0, "\(output)")
        #expect(Self.contents(fleet.hosts[0], "/tmp/seen") == "from-app3\n", "\(output)")
        #expect(Self.headers(output) == ["Each host registers", "app1 reads the last host's result", "Third"], "\(output)")
    }

    /// Fewer forks than hosts: still task by task (ansible-playbook runs a task on the first `forks` hosts,
    /// then the next ones, before the next task).
    @Test func linearWithFewerForksThanHostsStillGoesTaskByTask() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run(
            Self.registerThenRead(strategy: "strategy: linear", last: "app4"), hosts: 4, extra: ["-f", "2"])
        #expect(status == 0, "\(output)")
        #expect(Self.contents(fleet.hosts[0], "/tmp/seen") == "from-app4\n", "\(output)")
        #expect(Self.headers(output) == ["Each host registers", "app1 reads the last host's result", "Third"], "\(output)")
    }

    /// ansible-playbook with `strategy: free`: h1 ran ahead and printed `"msg": "NOTHING"`.
    @Test func freeStrategyLetsEachHostRunAhead() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run(Self.registerThenRead(strategy: "strategy: free", last: "app3"), hosts: 3)
        #expect(status == 0, "\(output)")
        #expect(Self.contents(fleet.hosts[0], "/tmp/seen") == "NOTHING\n", "\(output)")
    }

    /// ansible-playbook: `[ERROR]: Invalid play strategy specified: bogus` located at the play, exit 1 (when
    /// that play starts). Skiff says so before any host is contacted: the first play does not run either.
    @Test func anUnknownStrategyIsRefusedBeforeAnyHostIsContacted() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/first-play
            - hosts: app
              gather_facts: false
              strategy: bogus
              tasks:
                - shell: "true"
            """)
        #expect(status == 1, "\(output)")
        #expect(output.contains("playbook.yml:5:3: invalid play strategy 'bogus'"), "\(output)")
        #expect(Self.contents(fleet.hosts[0], "/tmp/first-play") == nil)
    }

    /// ansible-playbook (linear) with max_fail_percentage 30, h1 failing the first task: h2 and h3 finished
    /// it, then `NO MORE HOSTS LEFT`; `Second` ran nowhere; exit 2.
    @Test func maxFailPercentageStopsTheBatchBeforeItsNextTask() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              max_fail_percentage: 30
              tasks:
                - name: Fails on app1
                  shell: "touch /tmp/first; test {{ inventory_hostname }} != app1"
                - name: Second
                  shell: touch /tmp/second
            """, hosts: 3)
        #expect(status == 2, "\(output)")
        for host in fleet.hosts {
            #expect(Self.contents(host, "/tmp/first") != nil, "every host finished the first task")
            #expect(Self.contents(host, "/tmp/second") == nil, "no host started the second: \(output)")
        }
    }

    /// ansible-playbook printed, in this order: TASK [B1 fails on h1] (h1 failed, h2 and h3 changed),
    /// TASK [B2] (h2, h3), TASK [R1] (h1), TASK [A1] (all), TASK [After] (all), RUNNING HANDLER [first],
    /// RUNNING HANDLER [second] — handlers in the order the play defines them, not the order notified.
    @Test func rescueWaitsForTheBlockAndHandlersRunInDefinitionOrder() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - block:
                    - name: B1 fails on app1
                      shell: "test {{ inventory_hostname }} != app1"
                    - name: B2
                      shell: "sleep 1"
                  rescue:
                    - name: R1
                      shell: echo r1 >> /tmp/trail
                  always:
                    - name: A1
                      shell: echo a1 >> /tmp/trail
                - name: After
                  shell: echo after >> /tmp/trail
                  notify: [second, first]
              handlers:
                - name: first
                  shell: echo first >> /tmp/trail
                - name: second
                  shell: echo second >> /tmp/trail
            """, hosts: 3)
        #expect(status == 0, "\(output)")
        #expect(Self.headers(output) == ["B1 fails on app1", "B2", "R1", "A1", "After", "first", "second"], "\(output)")
        #expect(Self.contents(fleet.hosts[0], "/tmp/trail") == "r1\na1\nafter\nfirst\nsecond\n")
        #expect(Self.contents(fleet.hosts[1], "/tmp/trail") == "a1\nafter\nfirst\nsecond\n")
        #expect(output.contains("app1                       : ok=5"), "\(output)")
    }

    /// ansible-playbook -C: `skipping: [h1]` for the command, then `ok: [h1]` for the next task, exit 0
    /// (changed_when/failed_when are not evaluated on a skipped result).
    @Test func checkModeSkipsTheConditionsOfATaskItSkips() async throws {
        let (status, output, _) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: Version
                  shell: echo 1.2.3
                  register: version
                  changed_when: version.stdout != "1.2.3"
                  failed_when: version.rc != 0 or 'x' in version.stdout
                - name: Reached
                  debug:
                    msg: reached
            """, hosts: 2, extra: ["-C"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("skipping: [app1]"), "\(output)")
        #expect(output.contains("\"msg\": \"reached\""), "\(output)")
    }

    /// ansible-playbook -vvv with `become: true` as the login user (root, local connection): no sudo in the
    /// EXEC line, `id -un` root; with `become_user: nobody` it ran `sudo -H -S -n -u nobody`. The rule
    /// (ansible-core's `_low_level_execute_command`): no become when become_user equals the remote user.
    @Test func becomingTheLoginUserRunsNoSudo() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              become: true
              tasks:
                - name: Environment as the login user
                  shell: echo "${SUDO_USER-none} $HOME $PATH" > /tmp/become-env
                - name: Another user still goes through sudo
                  shell: id -un > /tmp/other-user; chmod 644 /tmp/other-user
                  become_user: nobody
            """, extra: ["-vvv"])
        #expect(status == 0, "\(output)")
        let seen = Self.contents(fleet.hosts[0], "/tmp/become-env") ?? ""
        #expect(seen.hasPrefix("none /root \(fleet.hosts[0].directory.file("bin")):"), "no sudo: the login's PATH and no SUDO_USER: \(seen)")
        #expect(Self.contents(fleet.hosts[0], "/tmp/other-user") == "nobody\n")
    }

    /// ansible-playbook: `args: executable: /bin/bash` and the free-form `executable=/bin/bash` ran the text
    /// under bash (`$0` was `/bin/bash`, `set -o pipefail` worked); without it, `/bin/sh`.
    @Test func shellExecutableRunsTheTextWithThatShell() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: Pipefail under bash
                  shell: set -o pipefail && echo "$0 $GREETING" > /tmp/shell
                  args:
                    executable: /bin/bash
                  environment:
                    GREETING: hello
                - name: Free-form executable
                  shell: executable=/bin/bash echo "$0" > /tmp/free-form
                - name: The default
                  shell: echo "$0" > /tmp/default
            """)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(Self.contents(host, "/tmp/shell") == "/bin/bash hello\n")
        #expect(Self.contents(host, "/tmp/free-form") == "/bin/bash\n")
        #expect(Self.contents(host, "/tmp/default") == "/bin/sh\n")
    }

    /// ansible-playbook: a role's handler answers `notify: "web : restart"` and `notify: restart` alike,
    /// and ran once (`RUNNING HANDLER [web : restart]`, exit 0).
    @Test func aRolesHandlerAnswersItsQualifiedName() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        for directory in ["tasks", "handlers"] {
            try FileManager.default.createDirectory(atPath: fleet.files.file("roles/web/\(directory)"), withIntermediateDirectories: true)
        }
        try fleet.files.write("roles/web/tasks/main.yml", """
            - name: Configure
              shell: "true"
              notify: "web : restart"
            - name: Configure again
              shell: "true"
              notify: restart
            """)
        try fleet.files.write("roles/web/handlers/main.yml", """
            - name: restart
              shell: echo restarted >> /tmp/restarts
            """)
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              roles: [web]
            """)
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["NO_COLOR": "1"])
        #expect(status == 0, "\(output)")
        #expect(Self.contents(fleet.hosts[0], "/tmp/restarts") == "restarted\n", "\(output)")
    }

    /// ansible-playbook, when h1's task changed and notified `nosuch`: `[ERROR]: The requested handler
    /// 'nosuch' was not found in either the main handlers list nor in the listening handlers list`, and
    /// the run ended there (exit 1, `Third` ran on no host). An unchanged task notifying it was no error.
    @Test func notifyingAMissingHandlerStopsTheRun() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: Unchanged, so nothing is notified
                  shell: "true"
                  changed_when: false
                  notify: nosuch
                - name: Notifies a missing handler
                  shell: "true"
                  changed_when: inventory_hostname == 'app1'
                  notify: nosuch
                - name: Third
                  shell: touch /tmp/third
              handlers:
                - name: real
                  shell: "true"
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/second-play
            """, hosts: 3)
        #expect(status == 2, "\(output)")
        #expect(output.contains("playbook.yml:9:7: The requested handler 'nosuch' was not found in either the main handlers list nor in the listening handlers list"), "\(output)")
        for host in fleet.hosts {
            #expect(Self.contents(host, "/tmp/third") == nil, "no host started the next task")
            #expect(Self.contents(host, "/tmp/second-play") == nil, "no later play ran")
        }
    }
}
