import Crypto
import Foundation
import SkiffTestSupport
import Testing

/// The audit log, the deploy lock and rollback with the real binary on real hosts.
@Suite("audit end to end")
struct AuditEndToEndTests {
    static let canaries = ["canary-registry-pw-4711", "canary-nolog-value-4712", "canary-ansible-pw-4713", "canary-token-4714"]

    static func skiff(_ fleet: DeployEndToEndTests.Fleet, _ arguments: [String], log: String, inventory: String? = nil) async throws -> (status: Int32, output: String) {
        try await ExecCommandTests.skiff(
            arguments + ["-i", inventory ?? fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["SKIFF_AUDIT_LOG": log, "REGISTRY_URL": "registry.example.com", "REGISTRY_USER": "ci",
                          "REGISTRY_PASSWORD": canaries[0], "NO_COLOR": "1", "CI": "true", "GITHUB_ACTIONS": "true",
                          "GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "991",
                          "GITHUB_WORKFLOW": "release", "GITHUB_SHA": "abc123"])
    }

    static func audit(_ arguments: [String], log: String) async throws -> (status: Int32, output: String) {
        try await ExecCommandTests.skiff(["audit"] + arguments + ["--audit-log", log], environment: ["NO_COLOR": "1"])
    }

    @Test func deploysFailuresAndARollbackAreRecordedAndWhereKnowsEachHost() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let log = fleet.files.file("state/audit.jsonl")
        // app1 has an SSH password in the inventory (never used: the key is accepted first) — a canary.
        let inventory = try fleet.files.write("hosts-canary.ini", try String(contentsOfFile: fleet.inventory, encoding: .utf8)
            .replacingOccurrences(of: "app1 ansible_host", with: "app1 ansible_password=\(Self.canaries[2]) ansible_host"))
        let playbook = "\(DeployEndToEndTests.repository)/playbooks/deploy.yml"
        let noLog = try fleet.files.write("nolog.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: A secret output
                  shell: echo {{ secret_value }}
                  no_log: true
                  vars:
                    secret_value: \(Self.canaries[1])
            """)
        #expect(try await Self.skiff(fleet, [noLog], log: log, inventory: inventory).status == 0)
        for version in ["1.0.0", "1.0.1"] {
            let run = try await Self.skiff(fleet, [playbook, "-e", "version=\(version)", "-e", "api_token=\(Self.canaries[3])"], log: log, inventory: inventory)
            #expect(run.status == 0, "\(run.output)")
        }
        try fleet.hosts[1].failDocker(when: "up")
        let failed = try await Self.skiff(fleet, [playbook, "-e", "version=1.0.2"], log: log, inventory: inventory)
        #expect(failed.status == 2, "\(failed.output)")
        fleet.hosts[1].stopFailingDocker()

        let rollback = try await Self.skiff(fleet, ["rollback", playbook], log: log, inventory: inventory)
        #expect(rollback.status == 0, "\(rollback.output)")
        #expect(rollback.output.contains("app1: app 1.0.2 -> 1.0.1"), "\(rollback.output)")
        #expect(rollback.output.contains("app2: app 1.0.1 -> 1.0.0"), "the failed 1.0.2 never counted on app2")
        let versions = fleet.hosts[0].dockerLog.split(separator: "\n").filter { $0.hasPrefix("env: VERSION=") && !$0.hasPrefix("env: VERSION=<unset>") }
        #expect(versions.last?.hasPrefix("env: VERSION=1.0.1") == true, "app1 went back to 1.0.1: \(versions)")

        let place = try await Self.audit(["where"], log: log)
        let rows = place.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).joined(separator: " ") }
        #expect(rows.contains("app1 app 1.0.1") && rows.contains("app2 app 1.0.0"), "\(place.output)")
        #expect(place.output.contains("acme/shop / release #991"), "the CI job is named: \(place.output)")
        let version = try await Self.audit(["where", "--version", "1.0.0", "--json"], log: log)
        #expect(version.output.split(separator: "\n").count == 1 && version.output.contains("\"host\": \"app2\""), "\(version.output)")

        let list = try await Self.audit(["list"], log: log)
        let statuses = list.output.split(separator: "\n").dropFirst().map { line in
            line.split(separator: " ").contains("failed") ? "failed" : line.contains("ok (rollback)") ? "rollback" : "ok"
        }
        // The rollback is one run per target version (app1 to 1.0.1, app2 to 1.0.0).
        #expect(statuses == ["rollback", "rollback", "failed", "ok", "ok", "ok"], "newest first: \(list.output)")
        let failedOnly = try await Self.audit(["list", "--status", "failed", "--json"], log: log)
        #expect(failedOnly.output.split(separator: "\n").count == 1 && failedOnly.output.contains("\"versions\": [\"1.0.2\"]"), "\(failedOnly.output)")
        let onHost = try await Self.audit(["list", "--host", "app2", "--version", "1.0.1", "--json"], log: log)
        #expect(onHost.output.split(separator: "\n").count == 1, "\(onHost.output)")

        let runID = try #require(failedOnly.output.firstMatch(of: /"run": "([0-9a-f-]+)"/)?.1)
        let show = try await Self.audit(["show", String(runID.prefix(18))], log: log)
        #expect(show.status == 0)
        let app2 = try #require(show.output.range(of: "\napp2\n"))
        let app1 = try #require(show.output.range(of: "\napp1\n"))
        #expect(app2.lowerBound < app1.lowerBound, "the failed host comes first")
        #expect(show.output.contains("failed     Start the new version rc=1"), "\(show.output)")
        #expect(show.output.contains("$ VERSION=1.0.2 /bin/sh -c 'docker compose -p app -f /tmp/docker-compose.yml up -d'"), "\(show.output)")

        let html = fleet.files.file("report.html")
        #expect(try await Self.audit(["report", String(runID), "--html", html], log: log).status == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<span class=\"badge failed\">failed</span>") && page.contains("href=\"https://github.example/acme/shop/actions/runs/991\""))

        #expect(try await Self.audit(["verify"], log: log).status == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        for canary in Self.canaries { #expect(!text.contains(canary), "\(canary) is not in the audit log in clear") }
        #expect(text.contains("\"api_token\": \"hmac-sha256:"), "secret extra vars are fingerprinted")
        #expect(text.contains("\"output_fingerprint\": \"hmac-sha256:"), "no_log output is fingerprinted")
        #expect(text.contains("\"type\": \"lock_acquired\"") && text.contains("\"type\": \"lock_released\""))
        #expect(text.contains("\"rollback_of\": "))
    }

    @Test func anUnwritableAuditLogRefusesTheRun() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let run = try await Self.skiff(fleet, ["\(DeployEndToEndTests.repository)/playbooks/deploy.yml", "-e", "version=1"], log: "/dev/full")
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("the run does not start without its audit record"))
        #expect(fleet.hosts[0].dockerLog.isEmpty, "no host was contacted")
    }

    @Test func theDeployLockStopsASecondRunWaitsAndBreaksStaleLocks() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let log = fleet.files.file("audit.jsonl")
        // The holder keeps its lock until the test lets it go (it waits for /tmp/release on the host).
        let slow = try fleet.files.write("slow.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: touch /tmp/slow-started; for i in $(seq 1200); do [ -e /tmp/release ] && break; sleep 0.1; done
            """)
        let quick = try fleet.files.write("quick.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: date +%s%N > /tmp/quick-ran
            """)
        let host = fleet.hosts[0]
        async let first = Self.skiff(fleet, [slow], log: log)
        #expect(try await eventually(within: 60) { FileManager.default.fileExists(atPath: host.pathInside("/tmp/slow-started")) })
        let refused = try await Self.skiff(fleet, [quick], log: log)
        #expect(refused.status == 75, "a lock held by another run is not a failure: \(refused.output)")
        #expect(refused.output.contains("the deploy lock is held by run "), "\(refused.output)")
        async let waited = Self.skiff(fleet, [quick, "--lock-wait", "120"], log: log)
        #expect(try await eventually(within: 60) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("\"type\": \"lock_waiting\"") })
        try "".write(toFile: host.pathInside("/tmp/release"), atomically: false, encoding: .utf8)
        let waitedRun = try await waited
        #expect(waitedRun.status == 0, "\(waitedRun.output)")
        #expect(waitedRun.output.contains("waiting for the deploy lock"))
        #expect(try await first.status == 0)
        #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/quick-ran")))
        #expect(try await Self.audit(["verify"], log: log).status == 0, "three runs wrote one valid chain at once")

        // A lock left by a controller that died long ago.
        let lock = fleet.hosts[0].pathInside("/root/.skiff/lock")
        try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: true)
        try #"{"run": "dead-run", "operator": "gone@old-ci"}"#.write(toFile: lock + "/info.json", atomically: false, encoding: .utf8)
        _ = try Shell.run(["touch", "-d", "2 hours ago", lock + "/info.json"])
        let stale = try await Self.skiff(fleet, [quick], log: log)
        #expect(stale.status == 75, "\(stale.output)")
        #expect(stale.output.contains("the deploy lock is stale: run dead-run by gone@old-ci"), "\(stale.output)")
        let status = try await ExecCommandTests.skiff(["lock", "status", "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath,
                                                       "--known-hosts", fleet.knownHosts, "--no-agent"])
        #expect(status.output.contains("app1  stale  run dead-run by gone@old-ci"), "\(status.output)")
        let broken = try await Self.skiff(fleet, [quick, "--break-stale-locks"], log: log)
        #expect(broken.status == 0, "\(broken.output)")
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("\"type\": \"lock_broken\""))
        #expect(!FileManager.default.fileExists(atPath: lock), "released at the end of the run")

        try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: true)
        try #"{"run": "other"}"#.write(toFile: lock + "/info.json", atomically: false, encoding: .utf8)
        let released = try await ExecCommandTests.skiff(
            ["lock", "release", "--host", "app1", "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent", "--audit-log", log])
        #expect(released.status == 0, "\(released.output)")
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("\"type\": \"lock_released_by_operator\""))
    }

    @Test func aControllerKilledMidRunLeavesAVerifiableLogThatTheNextRunContinues() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let log = fleet.files.file("audit.jsonl")
        let slow = try fleet.files.write("slow.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - shell: echo first
                - shell: touch /tmp/second-started; sleep 30
            """)
        let pid = try Shell.spawn(
            [ExecCommandTests.skiff, "-i", fleet.inventory, slow, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["SKIFF_AUDIT_LOG": log])
        let host = fleet.hosts[0]
        let started = try await eventually(within: 60) { FileManager.default.fileExists(atPath: host.pathInside("/tmp/second-started")) }
        #expect(started)
        kill(pid, SIGKILL)
        _ = try await offPool { Shell.wait(for: pid) }
        let verify = try await Self.audit(["verify"], log: log)
        #expect(verify.status == 0, "whole records only: \(verify.output)")
        // One run, unfinished (a line about a torn last record, if the kill cut a write, is not a run).
        let unfinished = try await Self.audit(["list", "--status", "unfinished", "--json"], log: log).output
        #expect(unfinished.split(separator: "\n").filter { $0.hasPrefix("{") }.count == 1, "\(unfinished)")

        // The killed run's lock is given back by the host when its session ends; this run does not lock anyway.
        let quick = try fleet.files.write("quick.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - shell: \"true\"\n")
        let next = try await Self.skiff(fleet, [quick, "--no-lock"], log: log)
        #expect(next.status == 0, "\(next.output)")
        let after = try await Self.audit(["verify"], log: log)
        #expect(after.status == 0, "the next run continued the chain: \(after.output)")
        #expect(try await Self.audit(["list", "--json"], log: log).output.split(separator: "\n").count == 2)
    }
}

extension AuditEndToEndTests {
    @Test func aWriteFailureMidRunStartsNoNewTaskRunsCleanupAndExitsOne() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        // A log on a tiny filesystem: run_started fits, the task results soon do not.
        let small = fleet.files.file("small")
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        _ = try Shell.run(["mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", small])
        defer { _ = try? Shell.run(["umount", small]) }
        let playbook = try fleet.files.write("chatty.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - block:
                    - shell: "head -c 3000 /dev/zero | tr '\\\\0' x; echo {{ item }} >> /tmp/ran"
                      loop: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
                    - shell: touch /tmp/after
                  always:
                    - shell: touch /tmp/cleaned
            """)
        let run = try await Self.skiff(fleet, [playbook], log: small + "/audit.jsonl")
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("cannot write to the audit log"), "\(run.output)")
        let host = fleet.hosts[0]
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/after")), "no new task started")
        #expect(FileManager.default.fileExists(atPath: host.pathInside("/tmp/cleaned")), "cleanup ran")
    }
}

extension AuditEndToEndTests {
    /// A CI run names the person it ran for; a `-C` dry run is listed as `check`, never as a deploy,
    /// and `where` does not count it.
    @Test func theCIActorIsTheOperatorAndADryRunIsACheckNotADeploy() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let log = fleet.files.file("audit.jsonl")
        let playbook = "\(DeployEndToEndTests.repository)/playbooks/deploy-skiff.yml"
        func run(_ extra: [String], actor: String) async throws -> (status: Int32, output: String) {
            try await ExecCommandTests.skiff(
                [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"] + extra,
                environment: ["SKIFF_AUDIT_LOG": log, "REGISTRY_URL": "registry.example.com", "REGISTRY_USER": "ci",
                              "REGISTRY_PASSWORD": Self.canaries[0], "NO_COLOR": "1", "GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "7",
                              "GITHUB_REPOSITORY": "acme/shop", "GITHUB_ACTOR": actor, "GITHUB_SHA": "abc123"])
        }
        #expect(try await run(["-e", "version=1.0.0"], actor: "alice").status == 0)
        _ = try await run(["-e", "version=2.0.0", "-C"], actor: "bob")

        let list = try await Self.audit(["list", "--json"], log: log)
        let lines = list.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(list.output)")
        #expect(lines.contains { $0.contains("\"operator\": \"alice via ") && $0.contains("\"status\": \"ok\"") }, "\(list.output)")
        #expect(lines.contains { $0.contains("\"operator\": \"bob via ") && $0.contains("\"status\": \"check") }, "\(list.output)")
        let byAlice = try await Self.audit(["list", "--json", "--operator", "alice"], log: log)
        #expect(byAlice.output.split(separator: "\n").count == 1 && byAlice.output.contains("alice"), "\(byAlice.output)")
        let checks = try await Self.audit(["list", "--json", "--status", "check"], log: log)
        #expect(checks.output.split(separator: "\n").count == 1 && checks.output.contains("bob"), "\(checks.output)")
        let place = try await Self.audit(["where"], log: log)
        #expect(place.output.contains("1.0.0") && !place.output.contains("2.0.0"), "a dry run deployed nothing: \(place.output)")
    }
}

extension AuditEndToEndTests {
    /// Two throwaway runners (two logs, two log keys) given the fleet's SKIFF_AUDIT_KEY fingerprint a
    /// secret the same way; without it, each log has its own fingerprints, and run_started says which.
    @Test func aSharedAuditKeyGivesTheSameFingerprintOnEveryRunner() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        let playbook = try fleet.files.write("noop.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n")
        let shared = String(repeating: "5a", count: 32)
        func runStarted(log: String, key: String?) async throws -> String {
            var environment = ["SKIFF_AUDIT_LOG": fleet.files.file(log), "NO_COLOR": "1"]
            if let key { environment["SKIFF_AUDIT_KEY"] = key }
            let run = try await ExecCommandTests.skiff(
                [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent",
                 "-e", "api_token=canary-shared-4715", "--no-lock"], environment: environment)
            #expect(run.status == 0, "\(run.output)")
            let text = try String(contentsOfFile: fleet.files.file(log), encoding: .utf8)
            #expect(!text.contains("canary-shared-4715") && !text.contains(shared), "neither the secret nor the key is written")
            return try #require(text.split(separator: "\n").first { $0.contains("\"run_started\"") }.map(String.init))
        }
        func fingerprint(_ record: String) -> String? {
            record.range(of: "\"api_token\": \"hmac-sha256:").map { String(record[$0.upperBound...].prefix(64)) }
        }
        let first = try await runStarted(log: "runner1/audit.jsonl", key: shared)
        let second = try await runStarted(log: "runner2/audit.jsonl", key: shared)
        let own = try await runStarted(log: "runner3/audit.jsonl", key: nil)
        #expect(fingerprint(first) != nil && fingerprint(first) == fingerprint(second), "\(first)\n\(second)")
        #expect(fingerprint(own) != fingerprint(first))
        #expect(first.contains("\"fingerprints\": \"shared\"") && own.contains("\"fingerprints\": \"per-log\""))
        let bad = try await ExecCommandTests.skiff(
            [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent", "--no-lock"],
            environment: ["SKIFF_AUDIT_LOG": fleet.files.file("runner4/audit.jsonl"), "SKIFF_AUDIT_KEY": "not-hex-secret-value"])
        #expect(bad.status != 0 && bad.output.contains("SKIFF_AUDIT_KEY must hold") && !bad.output.contains("not-hex-secret-value"), "\(bad.output)")
    }
}

extension AuditEndToEndTests {
    /// `audit diff` answers "what changed between these two deploys": the extra vars (a secret by its
    /// fingerprint only), the file each host was given (by SHA-256, and a unified diff of its text, secrets
    /// masked), and each host's result.
    @Test func auditDiffShowsWhatChangedBetweenTwoRuns() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let log = fleet.files.file("audit.jsonl")
        let playbook = try fleet.files.write("release.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - name: Compose file
                  copy:
                    content: "services:\\n  web:\\n    image: shop:{{ version }}\\n    environment: [TOKEN={{ api_token }}]\\n"
                    dest: /tmp/compose.yml
                - name: Start
                  shell: test "{{ inventory_hostname }}" != app2 || test "{{ version }}" != 2.0.0
            """)
        var ids: [String] = []
        for (version, token) in [("1.0.0", "canary-diff-token-1"), ("2.0.0", "canary-diff-token-2")] {
            _ = try await ExecCommandTests.skiff(
                [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent",
                 "-e", "version=\(version)", "-e", "api_token=\(token)", "--no-lock"],
                environment: ["SKIFF_AUDIT_LOG": log, "NO_COLOR": "1"])
            let list = try await Self.audit(["list", "--json", "--limit", "1"], log: log)
            ids.append(try #require(list.output.range(of: "\"run\": \"").map { String(list.output[$0.upperBound...].prefix(36)) }))
        }
        let diff = try await Self.audit(["diff", ids[0], ids[1]], log: log)
        #expect(diff.status == 0, "\(diff.output)")
        #expect(diff.output.contains("extra var version: \"1.0.0\" -> \"2.0.0\""), "\(diff.output)")
        #expect(diff.output.contains("extra var api_token: \"hmac-sha256:"), "a secret compares by fingerprint: \(diff.output)")
        #expect(!diff.output.contains("canary-diff-token"))
        let sha = { (version: String) in
            let token = version == "1.0.0" ? "canary-diff-token-1" : "canary-diff-token-2"
            let content = "services:\n  web:\n    image: shop:\(version)\n    environment: [TOKEN=\(token)]\n"
            return SHA256.hash(data: Array(content.utf8)).map { String(format: "%02x", $0) }.joined()
        }
        #expect(diff.output.contains("app1:\n  upload /tmp/compose.yml: sha256 \(sha("1.0.0")) -> sha256 \(sha("2.0.0"))"), "\(diff.output)")
        #expect(diff.output.contains("app2:\n  result: ok -> failed"), "\(diff.output)")
        // The text of both uploads is in the log (secrets masked), so the change is shown line by line.
        #expect(diff.output.contains("\n      -    image: shop:1.0.0\n      -    environment: [TOKEN=hmac-sha256:"), "\(diff.output)")
        #expect(diff.output.contains("\n      +    image: shop:2.0.0\n      +    environment: [TOKEN=hmac-sha256:"), "\(diff.output)")
        let recorded = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!recorded.contains("canary-diff-token"), "no secret in the log's file records")
        #expect(recorded.components(separatedBy: "\"type\": \"file\"").count - 1 == 2, "one file record per content per run, not per host")
        let same = try await Self.audit(["diff", ids[1], ids[1]], log: log)
        #expect(same.output.hasSuffix("no differences\n") || same.output.hasSuffix("no differences"), "\(same.output)")
    }
}
