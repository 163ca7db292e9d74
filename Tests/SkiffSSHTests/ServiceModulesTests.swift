import Foundation
import SkiffTestSupport
import Testing

/// `systemd_service`/`systemd` and `service` on real hosts whose `systemctl` (and `service`) are
/// stand-ins that record their argv and keep unit states in files: no systemd runs here, so these show
/// the exact commands Skiff sends, and that a second run sends only questions.
@Suite("service modules on a real host")
struct ServiceModulesTests {
    /// A `systemctl` that knows the units named in `systemd/units/`, with their states as marker files.
    static func fakeSystemctl(_ state: String) -> String {
        """
        #!/bin/sh
        state='\(state)'
        printf '%s\\n' "$*" >> "$state/log"
        u=$2
        case "$1" in
          daemon-reload|daemon-reexec) exit 0 ;;
          show)
            if [ ! -e "$state/units/$u" ]; then echo LoadState=not-found; echo ActiveState=inactive; exit 0; fi
            if [ -e "$state/masked/$u" ]; then echo LoadState=masked; else echo LoadState=loaded; fi
            if [ -e "$state/active/$u" ]; then echo ActiveState=active; echo SubState=running; else echo ActiveState=inactive; echo SubState=dead; fi
            exit 0 ;;
          is-enabled)
            if [ -e "$state/masked/$u" ]; then echo masked; exit 1; fi
            if [ -e "$state/enabled/$u" ]; then echo enabled; exit 0; fi
            if [ -e "$state/units/$u" ]; then echo disabled; exit 1; fi
            echo "Failed to get unit file state for $u: No such file or directory" >&2; exit 1 ;;
          start|restart|reload)
            if [ -e "$state/masked/$u" ]; then echo "Failed to $1 $u: Unit $u is masked." >&2; exit 1; fi
            touch "$state/active/$u" ;;
          stop) rm -f "$state/active/$u" ;;
          enable) touch "$state/enabled/$u" ;;
          disable) rm -f "$state/enabled/$u" ;;
          mask) touch "$state/masked/$u" ;;
          unmask) rm -f "$state/masked/$u" ;;
          *) echo "unknown command $1" >&2; exit 1 ;;
        esac
        """
    }

    /// One host with the stand-in `systemctl`, units `web.service` (stopped, disabled) and `old.service`
    /// (running, enabled).
    static func host(bootedWithSystemd: Bool = false) async throws -> DeployEndToEndTests.Fleet {
        let key = try TestKeys.shared.key(.ed25519)
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.bootedWithSystemd = bootedWithSystemd
        let host = try await TestHost.launch(configuration)
        let state = host.directory.file("systemd")
        for directory in ["units", "active", "enabled", "masked"] {
            try FileManager.default.createDirectory(atPath: "\(state)/\(directory)", withIntermediateDirectories: true)
        }
        for marker in ["units/web.service", "units/old.service", "active/old.service", "enabled/old.service"] {
            try host.directory.write("systemd/\(marker)", "")
        }
        try host.directory.write("systemd/log", "")
        try host.directory.write("bin/systemctl", fakeSystemctl(state), mode: 0o755)
        let files = try ScratchDirectory("service")
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=root\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        return DeployEndToEndTests.Fleet(hosts: [host], files: files, inventory: inventory, knownHosts: knownHosts, key: key)
    }

    static func run(_ fleet: DeployEndToEndTests.Fleet, _ playbook: String, extra: [String] = []) async throws -> (status: Int32, output: String) {
        let path = try fleet.files.write("playbook.yml", playbook)
        return try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, path, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"] + extra,
            environment: ["NO_COLOR": "1"])
    }

    static func takeLog(_ fleet: DeployEndToEndTests.Fleet) throws -> [String] {
        let path = fleet.hosts[0].directory.file("systemd/log")
        let log = try String(contentsOfFile: path, encoding: .utf8)
        try "".write(toFile: path, atomically: true, encoding: .utf8)
        return log.split(separator: "\n").map(String.init)
    }

    static let systemdPlaybook = """
        - hosts: app
          gather_facts: false
          tasks:
            - name: Reload units
              systemd: {daemon_reload: true}
            - name: Web
              ansible.builtin.systemd_service: {name: web.service, state: started, enabled: true}
              register: web
            - name: Old
              systemd: {name: old.service, state: stopped, enabled: false, masked: true}
            - debug: {msg: "{{ web.name }} {{ web.enabled }} {{ web.state }} {{ web.status.LoadState }}"}
        """

    @Test func systemdDoesOnlyWhatDiffersAndASecondRunIsOk() async throws {
        let fleet = try await Self.host()
        let first = try await Self.run(fleet, Self.systemdPlaybook)
        #expect(first.status == 0, "\(first.output)")
        #expect(try Self.takeLog(fleet) == [
            "daemon-reload", "show web.service", "is-enabled web.service", "enable web.service", "start web.service",
            "show old.service", "is-enabled old.service", "mask old.service", "disable old.service", "stop old.service",
        ])
        #expect(first.output.contains("\"msg\": \"web.service True started loaded\""), "\(first.output)")
        #expect(first.output.contains("app1                       : ok=4     changed=2 "), "\(first.output)")

        let second = try await Self.run(fleet, Self.systemdPlaybook)
        #expect(second.status == 0, "\(second.output)")
        #expect(try Self.takeLog(fleet) == [
            "daemon-reload", "show web.service", "is-enabled web.service", "show old.service", "is-enabled old.service",
        ], "only questions")
        #expect(second.output.contains("app1                       : ok=4     changed=0 "), "\(second.output)")
    }

    @Test func checkModeAsksAndChangesNothing() async throws {
        let fleet = try await Self.host()
        let (status, output) = try await Self.run(fleet, Self.systemdPlaybook, extra: ["--check"])
        #expect(status == 0, "\(output)")
        #expect(try Self.takeLog(fleet) == ["show web.service", "is-enabled web.service", "show old.service", "is-enabled old.service"])
        #expect(output.contains("app1                       : ok=4     changed=2 "), "\(output)")
    }

    @Test func anUnknownUnitFailsWithAnsiblesMessage() async throws {
        let fleet = try await Self.host()
        let (status, output) = try await Self.run(fleet, """
            - hosts: app
              gather_facts: false
              tasks:
                - systemd: {name: nosuch.service, state: started}
            """)
        #expect(status == 2, "\(output)")
        #expect(output.contains("Could not find the requested service nosuch.service: host"), "\(output)")
    }

    static let servicePlaybook = """
        - hosts: app
          gather_facts: false
          tasks:
            - service: {name: web.service, state: started, enabled: true}
            - service: {name: old.service, state: stopped}
        """

    @Test func serviceUsesSystemctlOnASystemdHost() async throws {
        let fleet = try await Self.host(bootedWithSystemd: true)
        let first = try await Self.run(fleet, Self.servicePlaybook)
        #expect(first.status == 0, "\(first.output)")
        #expect(try Self.takeLog(fleet) == [
            "show web.service", "is-enabled web.service", "enable web.service", "start web.service", "show old.service", "stop old.service",
        ])
        let second = try await Self.run(fleet, Self.servicePlaybook)
        #expect(second.output.contains("app1                       : ok=2     changed=0 "), "\(second.output)")
    }

    @Test func serviceUsesTheServiceCommandWithoutSystemd() async throws {
        let fleet = try await Self.host()
        let host = fleet.hosts[0]
        let state = host.directory.file("systemd")
        try host.directory.write("bin/service", """
            #!/bin/sh
            printf 'service %s\\n' "$*" >> '\(state)/log'
            case "$2" in
              status) [ -e '\(state)/active/'"$1" ] ;;
              start|restart|reload) touch '\(state)/active/'"$1" ;;
              stop) rm -f '\(state)/active/'"$1" ;;
            esac
            """, mode: 0o755)
        let first = try await Self.run(fleet, """
            - hosts: app
              gather_facts: false
              tasks:
                - service: {name: web.service, state: started}
                - service: {name: old.service, state: stopped}
            """)
        #expect(first.status == 0, "\(first.output)")
        #expect(try Self.takeLog(fleet) == [
            "service web.service status", "service web.service start", "service old.service status", "service old.service stop",
        ], "systemctl is on the host, but systemd does not run it")
        let second = try await Self.run(fleet, try String(contentsOfFile: fleet.files.file("playbook.yml"), encoding: .utf8))
        #expect(second.output.contains("app1                       : ok=2     changed=0 "), "\(second.output)")
        #expect(try Self.takeLog(fleet) == ["service web.service status", "service old.service status"])
    }
}
