import Foundation
import SkiffTestSupport
import Testing

/// The deploy playbooks real repositories carry, end to end: on three hosts with no docker, install docker
/// from a local apt repository (a package the test builds with dpkg-deb: `docker` and `docker-compose`
/// wrappers of the engine's real clients), create the deploy user, and deploy with `docker_compose` (the v1
/// module name) against the real Docker engine. The first run changes every task on every host, the second
/// changes nothing, and `docker inspect` shows each host's containers running.
@Suite("provision and deploy on a real Docker engine", .enabled(if: DockerEngine.available, "run scripts/docker-engine first"))
struct ProvisionAndDeployTests {
    /// Builds `skiff-docker` 1.0 into `repo`: /opt/skiff-docker/bin/{docker,docker-compose}, each noting
    /// its call in /opt/skiff-docker/calls before running the engine's own client.
    static func publishDockerPackage(in repo: String) throws {
        let root = "\(repo)/build"
        try FileManager.default.createDirectory(atPath: "\(root)/DEBIAN", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/opt/skiff-docker/bin", withIntermediateDirectories: true)
        try """
            Package: skiff-docker
            Version: 1.0
            Architecture: all
            Maintainer: Skiff tests <tests@example.com>
            Description: the docker CLI and docker-compose, as Skiff's tests install them

            """.write(toFile: "\(root)/DEBIAN/control", atomically: true, encoding: .utf8)
        for (name, client) in [("docker", DockerEngine.docker), ("docker-compose", "/usr/bin/docker-compose")] {
            let path = "\(root)/opt/skiff-docker/bin/\(name)"
            try "#!/bin/sh\necho \"\(name) $*\" >> /opt/skiff-docker/calls\nexec \(client) \"$@\"\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        try FileManager.default.createDirectory(atPath: "\(repo)/pool", withIntermediateDirectories: true)
        try Shell.run(["dpkg-deb", "--root-owner-group", "--build", root, "\(repo)/pool/skiff-docker_1.0_all.deb"])
        try Shell.run(["sh", "-c", "cd '\(repo)/pool' && dpkg-scanpackages . /dev/null > Packages 2>/dev/null"])
    }

    /// A host with its own /etc, package state, /home and /opt, whose sessions find `docker` and
    /// `docker-compose` only once the package put them in /opt/skiff-docker/bin.
    static func host(_ key: TestKey, repo: String) async throws -> TestHost {
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.privatePackages = true
        let host = try await TestHost.launch(configuration)
        for name in ["docker", "docker-compose"] {
            try host.directory.write("bin/\(name)", """
                #!/bin/sh
                [ -x /opt/skiff-docker/bin/\(name) ] || { echo "\(name): command not found" >&2; exit 127; }
                exec /opt/skiff-docker/bin/\(name) "$@"

                """, mode: 0o755)
        }
        let sources = host.directory.file("etc/apt/sources.list.d")
        for entry in try FileManager.default.contentsOfDirectory(atPath: sources) { try FileManager.default.removeItem(atPath: "\(sources)/\(entry)") }
        try host.directory.write("etc/apt/sources.list.d/skiff-test.list", "deb [trusted=yes] file:\(repo)/pool ./\n")
        // Old package lists: the first run must update them.
        try Shell.run(["touch", "-d", "2000-01-01", host.pathInside("/var/lib/apt/lists")])
        return host
    }

    static let playbook = """
        - hosts: app
          gather_facts: false
          tasks:
            - name: Docker
              ansible.builtin.apt: {name: skiff-docker, update_cache: true, cache_valid_time: 3600}
            - name: Deploy user
              ansible.builtin.user: {name: deploy, groups: [docker], append: true, shell: /bin/sh}
            - name: Compose file
              ansible.builtin.copy:
                dest: /home/deploy/docker-compose.yml
                owner: deploy
                mode: "0644"
                content: |
                  services:
                    app:
                      image: "{{ repo }}:1.0.1"
                      init: true
                      network_mode: none
                      command: /bin/busybox sleep 3600
            - name: Deploy
              community.docker.docker_compose:
                project_src: /home/deploy
                project_name: "{{ prefix }}-{{ inventory_hostname }}"
        """

    /// The recap's counts per host: `app1` → `ok=4 changed=4 unreachable=0 failed=0`.
    static func recap(_ output: String) -> [String: String] {
        var counts: [String: String] = [:]
        for line in output.split(separator: "\n") where line.contains(" : ok=") {
            let words = line.split(separator: " ")
            guard let host = words.first else { continue }
            let kept = words.filter { word in ["ok=", "changed=", "unreachable=", "failed="].contains { word.hasPrefix($0) } }
            counts[String(host)] = kept.joined(separator: " ")
        }
        return counts
    }

    @Test func threeHostsInstallDockerCreateTheUserAndDeployThenChangeNothing() async throws {
        let engine = try #require(DockerEngine.current)
        let files = try ScratchDirectory("provision-deploy")
        let repo = files.file("repo")
        try Self.publishDockerPackage(in: repo)
        // The image is on the engine (the hosts do not log in to the test registry).
        let client = ["DOCKER_CONFIG": files.file("docker-client")]
        try Shell.run([DockerEngine.docker, "login", engine.registry, "--username", engine.user, "--password-stdin"], stdin: engine.password, environment: client)
        try Shell.run([DockerEngine.docker, "pull", "\(engine.repository):1.0.1"], environment: client)

        let key = try TestKeys.shared.key(.ed25519)
        var hosts: [TestHost] = []
        for _ in 0..<3 { hosts.append(try await Self.host(key, repo: repo)) }
        let prefix = "skiff-provision-\(hosts[0].port)"
        let names = ["app1", "app2", "app3"]
        defer { for name in names { engine.removeProject("\(prefix)-\(name)") } }
        let lines = hosts.enumerated().map { "app\($0.offset + 1) ansible_host=127.0.0.1 ansible_port=\($0.element.port) ansible_user=root" }
        let inventory = try files.write("hosts.ini", "[app]\n" + lines.joined(separator: "\n") + "\n")
        let knownHosts = try files.write("known_hosts", try hosts.map { try $0.knownHostsLine() }.joined(separator: "\n") + "\n")
        let path = try files.write("site.yml", Self.playbook)
        let run = {
            try await ExecCommandTests.skiff(
                ["-i", inventory, path, "-e", "{\"repo\": \"\(engine.repository)\", \"prefix\": \"\(prefix)\"}",
                 "--private-key", key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"],
                environment: ["NO_COLOR": "1"])
        }

        let first = try await run()
        #expect(first.status == 0, "\(first.output)")
        let changed = Dictionary(uniqueKeysWithValues: names.map { ($0, "ok=4 changed=4 unreachable=0 failed=0") })
        #expect(Self.recap(first.output) == changed, "\(first.output)")
        var deployed: [String: String] = [:]
        for (name, host) in zip(names, hosts) {
            let containers = try engine.containers(project: "\(prefix)-\(name)")
            #expect(containers.count == 1 && containers.first?.state == "running", "\(name): \(containers)")
            #expect(containers.first?.image == "\(engine.repository):1.0.1", "\(name): \(containers)")
            deployed[name] = containers.first?.id
            let calls = (try? String(contentsOfFile: host.pathInside("/opt/skiff-docker/calls"), encoding: .utf8)) ?? ""
            #expect(calls.contains("docker-compose "), "\(name): the deploy ran the installed docker-compose: \(calls)")
            let passwd = try String(contentsOfFile: host.pathInside("/etc/passwd"), encoding: .utf8)
            #expect(passwd.contains("\ndeploy:x:"), "\(name): the deploy user")
            let group = try String(contentsOfFile: host.pathInside("/etc/group"), encoding: .utf8)
            #expect(group.split(separator: "\n").contains { $0.hasPrefix("docker:") && $0.split(separator: ":").last?.split(separator: ",").contains("deploy") == true },
                    "\(name): deploy is in group docker")
        }

        let second = try await run()
        #expect(second.status == 0, "\(second.output)")
        let unchanged = Dictionary(uniqueKeysWithValues: names.map { ($0, "ok=4 changed=0 unreachable=0 failed=0") })
        #expect(Self.recap(second.output) == unchanged, "\(second.output)")
        for name in names {
            let containers = try engine.containers(project: "\(prefix)-\(name)")
            #expect(containers.map(\.id) == [deployed[name] ?? ""] && containers.first?.state == "running", "\(name): left as it was: \(containers)")
        }
    }
}
