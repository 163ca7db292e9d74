import Foundation
import SkiffTestSupport
import Testing

/// The release deploy against the real Docker engine, registry and docker-compose that `scripts/docker-engine`
/// starts: the repository's playbooks run over real sshd against a user in group `docker`, and the tests
/// check with `docker inspect` what runs afterwards. Every test deploys its own compose project (they share
/// the one engine).
@Suite("deploy on a real Docker engine", .enabled(if: DockerEngine.available, "run scripts/docker-engine first"))
struct RealDockerDeployTests {
    static let user = "deployer"

    struct Target {
        let engine: DockerEngine
        let host: TestHost
        let files: ScratchDirectory
        let inventory: String
        let knownHosts: String
        let key: TestKey
        /// This test's compose project.
        let project: String

        /// What runs in the project now (one service, `app`).
        func running() throws -> DockerEngine.Container? {
            try engine.containers(project: project).first { $0.service == "app" }
        }

        func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: host.pathInside(path)) }

        /// The run directories `skiff.compose_deploy` left in the host's /tmp.
        var runDirectories: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: host.pathInside("/tmp"))) ?? []).filter { $0.hasPrefix("skiff-") }
        }
    }

    /// One host whose deploy user runs the real engine, and copies of the repository's playbooks beside a
    /// compose file for the test registry's image (the repository's own names registry.example.com).
    static func target(_ compose: DockerEngine.Compose, _ name: String) async throws -> Target {
        let engine = try #require(DockerEngine.current)
        let key = try TestKeys.shared.key(.ed25519)
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.loginUser = user
        let host = try await TestHost.launch(configuration)
        try engine.prepare(host, user: user, compose: compose)
        let files = try ScratchDirectory("real-docker")
        let project = "skiff-\(name)-\(host.port)"
        engine.removeProject(project)
        try FileManager.default.createDirectory(atPath: files.file("playbooks"), withIntermediateDirectories: true)
        for playbook in ["deploy.yml", "deploy-skiff.yml"] {
            let text = try String(contentsOfFile: "\(DeployEndToEndTests.repository)/playbooks/\(playbook)", encoding: .utf8)
            _ = try files.write("playbooks/\(playbook)", text.replacingOccurrences(of: "project: app\n", with: "project: \(project)\n"))
        }
        _ = try files.write("docker-compose.yml", """
            services:
              app:
                image: \(engine.repository):${VERSION:?set VERSION to the release}
                init: true
            """ + "\n")
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=\(user)\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        return Target(engine: engine, host: host, files: files, inventory: inventory, knownHosts: knownHosts, key: key, project: project)
    }

    static func deploy(_ target: Target, _ playbook: String, version: String, password: String? = nil, registry: String? = nil, extra: [String] = [])
        async throws -> (status: Int32, output: String)
    {
        let path = playbook.hasPrefix("/") ? playbook : target.files.file("playbooks/\(playbook)")
        return try await ExecCommandTests.skiff(
            ["-i", target.inventory, path, "-e", "{\"version\": \"\(version)\", \"compose_project\": \"\(target.project)\"}",
             "--private-key", target.key.privateKeyPath, "--known-hosts", target.knownHosts, "--no-agent"] + extra,
            environment: ["REGISTRY_URL": registry ?? target.engine.registry, "REGISTRY_USER": target.engine.user,
                          "REGISTRY_PASSWORD": password ?? target.engine.password, "NO_COLOR": "1",
                          "SKIFF_AUDIT_LOG": target.files.file("audit.jsonl")])
    }

    /// Checks that `version` of the image runs, pulled from the registry (its digest).
    static func expectRunning(_ target: Target, _ version: String, _ context: String) throws {
        let container = try target.running()
        #expect(container?.image == "\(target.engine.repository):\(version)", "\(context): \(String(describing: container))")
        #expect(container?.state == "running", "\(context): \(String(describing: container))")
        let digest = try target.engine.digest(of: version)
        #expect(!digest.isEmpty && container?.digests.contains("\(target.engine.repository)@\(digest)") == true,
                "\(context): the registry's \(version) runs: \(digest) vs \(String(describing: container?.digests))")
    }

    /// Upgrade, then a wrong password and a tag the registry does not have: both fail the host (exit 2) and
    /// leave the running release as it was, with no credential and no compose file left on the host.
    func upgradeAndFailures(_ target: Target, playbook: String) async throws {
        defer { target.engine.removeProject(target.project) }
        let first = try await Self.deploy(target, playbook, version: "1.0.0")
        #expect(first.status == 0, "\(first.output)")
        try Self.expectRunning(target, "1.0.0", "first deploy")
        let second = try await Self.deploy(target, playbook, version: "1.0.1")
        #expect(second.status == 0, "\(second.output)")
        try Self.expectRunning(target, "1.0.1", "upgrade")
        let release = try target.running()?.id

        let wrong = try await Self.deploy(target, playbook, version: "1.0.0", password: "not-the-password")
        #expect(wrong.status == 2, "\(wrong.output)")
        #expect(!wrong.output.contains("not-the-password"))
        try Self.expectRunning(target, "1.0.1", "after a wrong password")
        #expect(try target.running()?.id == release, "the running container was not touched")

        let down = try await Self.deploy(target, playbook, version: "1.0.0", registry: "127.0.0.1:5001")
        #expect(down.status == 2, "a registry nobody answers at: \(down.output)")
        #expect(try target.running()?.id == release, "the running container was not touched")

        let missing = try await Self.deploy(target, playbook, version: "9.9.9")
        #expect(missing.status == 2, "\(missing.output)")
        try Self.expectRunning(target, "1.0.1", "after a missing tag")
        #expect(try target.running()?.id == release, "the running container was not touched")

        #expect(!target.fileExists("/tmp/docker-compose.yml"), "the compose file is removed")
        let config = (try? String(contentsOfFile: target.host.pathInside("/tmp/.docker/config.json"), encoding: .utf8)) ?? ""
        #expect(!config.contains(target.engine.registry), "logged out: \(config)")
        #expect(target.runDirectories.isEmpty, "no run directory is left: \(target.runDirectories)")
    }

    @Test func deployYmlWithAComposePluginUpgradesAndSurvivesFailures() async throws {
        let target = try await Self.target(.userPlugin, "deploy")
        try await upgradeAndFailures(target, playbook: "deploy.yml")
    }

    @Test func composeDeployOnADockerComposeV1OnlyTarget() async throws {
        let target = try await Self.target(.v1Only, "cdv1")
        try await upgradeAndFailures(target, playbook: "deploy-skiff.yml")
    }

    /// The compose plugin installed in the user's ~/.docker/cli-plugins is used, although the deploy logs in
    /// with a DOCKER_CONFIG of its own.
    @Test func composeDeployFindsTheUsersComposePlugin() async throws {
        let target = try await Self.target(.userPlugin, "cdplugin")
        defer { target.engine.removeProject(target.project) }
        let run = try await Self.deploy(target, "deploy-skiff.yml", version: "1.0.1", extra: ["-v"])
        #expect(run.status == 0, "\(run.output)")
        try Self.expectRunning(target, "1.0.1", "deploy")
        #expect(target.fileExists("/tmp/compose-plugin-used"), "docker compose ran the user's plugin")
        // What runs is in the task's output (-v) and the audit's deployed record, with the image digest.
        let running = "\(target.engine.repository):1.0.1@\(try target.engine.digest(of: "1.0.1"))"
        #expect(run.output.contains("app: \(running) running"), "\(run.output)")
        let where_ = try await AuditEndToEndTests.audit(["where", "--json"], log: target.files.file("audit.jsonl"))
        #expect(where_.output.contains(running), "\(where_.output)")
        #expect(target.runDirectories.isEmpty, "\(target.runDirectories)")
    }

    /// A deploy of what already runs changes nothing, and says so.
    @Test func composeDeployReportsChangedOnlyWhenComposeChangedSomething() async throws {
        let target = try await Self.target(.v1Only, "cdchanged")
        defer { target.engine.removeProject(target.project) }
        let first = try await Self.deploy(target, "deploy-skiff.yml", version: "1.0.1")
        #expect(first.status == 0 && first.output.contains("changed=1"), "\(first.output)")
        let again = try await Self.deploy(target, "deploy-skiff.yml", version: "1.0.1")
        #expect(again.status == 0 && again.output.contains("changed=0"), "\(again.output)")
        try Self.expectRunning(target, "1.0.1", "unchanged")
    }

    /// `docker_compose_v2` on a target with only docker-compose v1: deploys, reports `changed` when compose
    /// created or recreated the container and not when it was up to date; logging out twice changes nothing
    /// the second time.
    @Test func dockerComposeV2OnDockerComposeV1() async throws {
        let target = try await Self.target(.v1Only, "v2mod")
        defer { target.engine.removeProject(target.project) }
        let playbook = try target.files.write("playbooks/compose-v2.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - community.docker.docker_login:
                    registry_url: "{{ lookup('env', 'REGISTRY_URL') }}"
                    username: "{{ lookup('env', 'REGISTRY_USER') }}"
                    password: "{{ lookup('env', 'REGISTRY_PASSWORD') }}"
                  no_log: true
                - ansible.builtin.copy: {src: ../docker-compose.yml, dest: /tmp/compose.yml}
                - name: Up
                  community.docker.docker_compose_v2:
                    project_name: "{{ compose_project }}"
                    files: [/tmp/compose.yml]
                  environment: {VERSION: "{{ version }}"}
                - name: Log out
                  community.docker.docker_login: {registry_url: "{{ lookup('env', 'REGISTRY_URL') }}", state: absent}
                - name: Log out again
                  community.docker.docker_login: {registry_url: "{{ lookup('env', 'REGISTRY_URL') }}", state: absent}
            """ + "\n")
        let first = try await Self.deploy(target, playbook, version: "1.0.0")
        #expect(first.status == 0, "\(first.output)")
        try Self.expectRunning(target, "1.0.0", "first")
        let upgrade = try await Self.deploy(target, playbook, version: "1.0.1")
        #expect(upgrade.status == 0, "\(upgrade.output)")
        try Self.expectRunning(target, "1.0.1", "upgrade")
        #expect(upgrade.output.contains("changed: [app1]") && upgrade.output.range(of: #"TASK \[Up\][^\n]*\nchanged: \[app1\]"#, options: .regularExpression) != nil,
                "the recreate is a change: \(upgrade.output)")
        #expect(upgrade.output.range(of: #"TASK \[Log out again\][^\n]*\nok: \[app1\]"#, options: .regularExpression) != nil,
                "nothing to log out of is no change: \(upgrade.output)")
        let again = try await Self.deploy(target, playbook, version: "1.0.1")
        #expect(again.output.range(of: #"TASK \[Up\][^\n]*\nok: \[app1\]"#, options: .regularExpression) != nil, "up to date: \(again.output)")
    }

    /// The controller killed with SIGKILL, or stopped at once with a second SIGTERM, while compose pulls: the
    /// host's side of the deploy logs out and removes its run directory (the registry credential with it)
    /// when the SSH session ends.
    @Test(arguments: [[SIGKILL], [SIGTERM, SIGTERM]])
    func killingTheControllerLeavesNoCredentialOnTheHost(signals: [Int32]) async throws {
        let target = try await Self.target(.userPlugin, "kill\(signals.count)")
        defer { target.engine.removeProject(target.project) }
        // `docker compose pull` takes its time here.
        _ = try target.host.directory.write("bin/docker", """
            #!/bin/sh
            case " $* " in *" pull "*) sleep 60 ;; esac
            exec \(DockerEngine.docker) "$@"
            """ + "\n", mode: 0o755)
        let playbook = target.files.file("playbooks/deploy-skiff.yml")
        let pid = try Shell.spawn(
            [ExecCommandTests.skiff, "-i", target.inventory, playbook, "-e", "{\"version\": \"1.0.1\"}", "--private-key", target.key.privateKeyPath,
             "--known-hosts", target.knownHosts, "--no-agent"],
            environment: ["REGISTRY_URL": target.engine.registry, "REGISTRY_USER": target.engine.user, "REGISTRY_PASSWORD": target.engine.password,
                          "SKIFF_AUDIT_LOG": target.files.file("audit.jsonl")])
        let credential = try await eventually(within: 60) {
            target.runDirectories.contains { target.fileExists("/tmp/\($0)/docker/config.json") }
        }
        for signal in signals {
            kill(pid, signal)
            usleep(200_000)
        }
        let status = Shell.wait(for: pid)
        #expect(status == (signals == [SIGKILL] ? 128 + SIGKILL : 99), "exit status \(status)")
        #expect(credential, "the deploy logged in")
        let cleaned = try await eventually(within: 20) { target.runDirectories.isEmpty }
        #expect(cleaned, "the run directory is removed: \(target.runDirectories)")
        #expect(try target.running() == nil, "nothing was deployed")
    }

    /// A service that exits right after `up` fails the deploy.
    @Test func composeDeployFailsWhenTheContainerDoesNotKeepRunning() async throws {
        let target = try await Self.target(.v1Only, "cdexit")
        defer { target.engine.removeProject(target.project) }
        _ = try target.files.write("docker-compose.yml", """
            services:
              app:
                image: \(target.engine.repository):${VERSION}
                command: ["/bin/busybox", "false"]
            """ + "\n")
        let run = try await Self.deploy(target, "deploy-skiff.yml", version: "1.0.0")
        #expect(run.status == 2, "\(run.output)")
        #expect(run.output.contains("not running after docker compose up: app is exited"), "\(run.output)")
        #expect(try target.running()?.state == "exited")
        #expect(target.runDirectories.isEmpty)
    }

    /// 1.0.0, then 1.0.1, then `skiff rollback`: 1.0.0 runs again, as the audit log's history says.
    @Test func rollbackRedeploysThePreviousRelease() async throws {
        let target = try await Self.target(.v1Only, "rollback")
        defer { target.engine.removeProject(target.project) }
        for version in ["1.0.0", "1.0.1"] {
            let run = try await Self.deploy(target, "deploy-skiff.yml", version: version)
            #expect(run.status == 0, "\(run.output)")
        }
        try Self.expectRunning(target, "1.0.1", "before the rollback")
        let rollback = try await ExecCommandTests.skiff(
            ["rollback", target.files.file("playbooks/deploy-skiff.yml"), "-i", target.inventory, "--project", target.project,
             "--private-key", target.key.privateKeyPath, "--known-hosts", target.knownHosts, "--no-agent",
             "--audit-log", target.files.file("audit.jsonl")],
            environment: ["REGISTRY_URL": target.engine.registry, "REGISTRY_USER": target.engine.user,
                          "REGISTRY_PASSWORD": target.engine.password, "NO_COLOR": "1"])
        #expect(rollback.status == 0, "\(rollback.output)")
        try Self.expectRunning(target, "1.0.0", "after the rollback")
    }
}
