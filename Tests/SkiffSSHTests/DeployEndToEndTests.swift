import Foundation
import SkiffTestSupport
import Testing

/// The release deploy, end to end: the skiff binary runs playbooks/deploy.yml against real sshd hosts
/// whose `docker` is the recording shim.
@Suite("deploy end to end")
struct DeployEndToEndTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path
    static let password = "registry-pässword-canary-7731"

    struct Fleet {
        let hosts: [TestHost]
        let files: ScratchDirectory
        let inventory: String
        let knownHosts: String
        let key: TestKey
    }

    static func fleet(_ count: Int) async throws -> Fleet {
        let key = try TestKeys.shared.key(.ed25519)
        let hosts = try await withThrowingTaskGroup(of: TestHost.self) { group in
            for _ in 0..<count { group.addTask { try await TestHost.launch(.init(authorizedKeys: [key.publicKey])) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }.sorted { $0.port < $1.port }
        let files = try ScratchDirectory("deploy")
        let lines = hosts.enumerated().map { "app\($0.offset + 1) ansible_host=127.0.0.1 ansible_port=\($0.element.port) ansible_user=root" }
        let inventory = try files.write("hosts.ini", "[app]\n" + lines.joined(separator: "\n") + "\n")
        let knownHosts = try files.write("known_hosts", try hosts.map { try $0.knownHostsLine() }.joined(separator: "\n") + "\n")
        return Fleet(hosts: hosts, files: files, inventory: inventory, knownHosts: knownHosts, key: key)
    }

    static func deploy(_ fleet: Fleet, playbook: String = "playbooks/deploy.yml", version: String = "1.0.1", extra: [String] = [])
        async throws -> (status: Int32, output: String)
    {
        try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, "\(repository)/\(playbook)", "-e", "{\"version\": \"\(version)\"}", "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent"] + extra,
            environment: ["REGISTRY_URL": "registry.example.com", "REGISTRY_USER": "ci", "REGISTRY_PASSWORD": password, "NO_COLOR": "1"])
    }

    @Test func fiveHostsDeployWithThePasswordOnStdinAndCleanUp() async throws {
        let fleet = try await Self.fleet(5)
        let (status, output) = try await Self.deploy(fleet)
        #expect(status == 0, "output: \(output)")
        let composeSHA = try Shell.run(["sha256sum", "\(Self.repository)/docker-compose.yml"]).prefix(64)
        for host in fleet.hosts {
            let log = host.dockerLog
            #expect(log.contains("argv: [login] [registry.example.com] [--username] [ci] [--password-stdin]"), "\(log)")
            #expect(log.contains("stdin: \(Self.password)"), "the password arrived on stdin")
            #expect(!log.split(separator: "\n").filter { $0.hasPrefix("argv:") }.contains { $0.contains(Self.password) }, "never in argv")
            #expect(log.contains("[up] [-d]"))
            #expect(log.contains("env: VERSION=1.0.1"))
            #expect(log.contains("file: /tmp/docker-compose.yml sha256=\(composeSHA)"), "compose saw the uploaded file")
            #expect(log.contains("argv: [logout] [registry.example.com]"))
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/docker-compose.yml")), "the file is gone afterwards")
        }
        #expect(!output.contains(Self.password), "the password is in no console line")
        #expect(output.contains("PLAY RECAP"))
        for index in 1...5 {
            #expect(output.contains("app\(index)"))
        }
        #expect(output.split(separator: "\n").filter { $0.contains(" : ok=5 ") && $0.contains("failed=0") }.count == 5, "\(output)")
    }

    @Test func aFailingComposeUpFailsThatHostOnlyAndCleanupStillRuns() async throws {
        let fleet = try await Self.fleet(3)
        try fleet.hosts[1].failDocker(when: "up")
        let junit = fleet.files.file("junit.xml")
        let (status, output) = try await Self.deploy(fleet, extra: ["--junit", junit])
        let report = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(report.contains(#"tests="15" failures="1""#), "one testcase per host × task: \(report)")
        #expect(report.contains(#"<testcase classname="app2" name="Start the new version""#))
        #expect(report.contains("<failure"))
        #expect(!report.contains(Self.password))
        #expect(status == 2, "output: \(output)")
        #expect(output.contains("fatal: [app2]: FAILED!"))
        for host in fleet.hosts {
            #expect(host.dockerLog.contains("argv: [logout]"), "always ran on every host")
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/docker-compose.yml")))
        }
        #expect(output.contains("failed=1"))
    }

    @Test func anUnreachableHostExitsFour() async throws {
        let fleet = try await Self.fleet(2)
        fleet.hosts[0].stop()
        let (status, output) = try await Self.deploy(fleet)
        #expect(status == 4, "output: \(output)")
        #expect(output.contains("UNREACHABLE!"))
        #expect(fleet.hosts[1].dockerLog.contains("[up] [-d]"), "the other host deployed")
    }

    /// The README's deploy without `-e version` stops before logging in anywhere: exit 5, located, with the fix.
    @Test func aMissingVersionIsFoundBeforeAnyHostIsContacted() async throws {
        let fleet = try await Self.fleet(2)
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, "\(Self.repository)/playbooks/deploy.yml", "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["REGISTRY_URL": "registry.example.com", "REGISTRY_USER": "ci", "REGISTRY_PASSWORD": Self.password, "NO_COLOR": "1"])
        #expect(status == 5, "\(output)")
        #expect(output.contains("playbooks/deploy.yml:32:") && output.contains("'version'") && output.contains("-e version=…"), "\(output)")
        for host in fleet.hosts {
            #expect(host.dockerLog.isEmpty, "no registry login on any host: \(host.dockerLog)")
            #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/docker-compose.yml")), "no file was copied")
        }
    }

    @Test func aHostileVersionIsOneWordOnTheHost() async throws {
        let fleet = try await Self.fleet(1)
        let (status, _) = try await Self.deploy(fleet, version: "1.0; touch /tmp/pwned")
        #expect(status == 0)
        #expect(fleet.hosts[0].dockerLog.contains("env: VERSION=1.0; touch /tmp/pwned"))
        #expect(!FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/pwned")))
    }

    @Test func composeDeployDoesItAllInOneTask() async throws {
        let fleet = try await Self.fleet(2)
        let (status, output) = try await Self.deploy(fleet, playbook: "playbooks/deploy-skiff.yml", version: "2.0.0")
        #expect(status == 0, "output: \(output)")
        for host in fleet.hosts {
            let log = host.dockerLog
            #expect(log.contains("stdin: \(Self.password)"))
            #expect(log.contains("[pull]"))
            #expect(log.contains("[up] [--detach]"))
            #expect(log.contains("env: VERSION=2.0.0 DOCKER_CONFIG=/tmp/skiff-"))
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: host.pathInside("/tmp"))) ?? []
            #expect(!leftovers.contains { $0.hasPrefix("skiff-") }, "the run directory and its credentials are gone: \(leftovers)")
        }
        #expect(!output.contains(Self.password))
    }
}

@Suite("machine-readable output")
struct JSONOutputTests {
    @Test func everyEventIsOneJSONObjectPerLineAndNoSecretLeaks() async throws {
        let fleet = try await DeployEndToEndTests.fleet(2)
        let (status, output) = try await DeployEndToEndTests.deploy(fleet, extra: ["--output", "json"])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let events = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(events.first?["event"] as? String == "run_start")
        #expect(events.dropFirst().first?["event"] as? String == "play_start")
        #expect(events.filter { $0["event"] as? String == "host_result" }.count == 10)
        let recap = try #require(events.last)
        #expect(recap["event"] as? String == "recap")
        #expect(recap["exit_code"] as? Int == 0)
        #expect((recap["hosts"] as? [String: Any])?.count == 2)
        #expect(events.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
        #expect(!output.contains(DeployEndToEndTests.password))
    }
}
