import Foundation
import SkiffTestSupport
import Testing

/// The community.docker modules against the real Docker engine that `scripts/docker-engine` starts: a deploy
/// user in group `docker` behind a real sshd runs each task twice (changed, then ok) and under `--check`
/// (nothing changes), and the tests ask `docker inspect` what is there. Each test uses names of its own
/// (the engine is shared).
@Suite("community.docker modules on a real Docker engine", .enabled(if: DockerEngine.available, "run scripts/docker-engine first"))
struct DockerModulesTests {
    struct Target {
        let engine: DockerEngine
        let host: TestHost
        let files: ScratchDirectory
        let inventory: String
        let knownHosts: String
        let key: TestKey
        /// A prefix for this test's names (networks, containers, images).
        let prefix: String

        func run(_ tasks: String, _ extra: [String] = []) async throws -> (status: Int32, output: String) {
            let path = try files.write("playbook.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n" + tasks)
            return try await ExecCommandTests.skiff(
                ["-i", inventory, path, "-e", "{\"p\": \"\(prefix)\", \"repo\": \"\(engine.repository)\", \"registry\": \"\(engine.registry)\"}",
                 "--private-key", key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"] + extra,
                environment: ["NO_COLOR": "1", "REGISTRY_USER": engine.user, "REGISTRY_PASSWORD": engine.password])
        }

        /// `docker inspect` of an object, parsed; nil when there is none.
        func inspect(_ kind: String, _ name: String) -> [String: Any]? {
            guard let text = try? Shell.run([DockerEngine.docker, kind, "inspect", name]),
                let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
            else { return nil }
            return list.first
        }
    }

    static func target(_ name: String, compose: DockerEngine.Compose = .v1Only) async throws -> Target {
        let engine = try #require(DockerEngine.current)
        let key = try TestKeys.shared.key(.ed25519)
        var configuration = TestHost.Configuration(authorizedKeys: [key.publicKey])
        configuration.loginUser = RealDockerDeployTests.user
        let host = try await TestHost.launch(configuration)
        try engine.prepare(host, user: RealDockerDeployTests.user, compose: compose)
        let files = try ScratchDirectory("docker-modules")
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=\(RealDockerDeployTests.user)\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        return Target(engine: engine, host: host, files: files, inventory: inventory, knownHosts: knownHosts, key: key, prefix: "skiff-\(name)-\(host.port)")
    }

    /// The recap's counts for the one host: `ok=N changed=M`.
    static func recap(_ output: String) -> String {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("app1") }) else { return "" }
        let words = line.split(separator: " ").filter { $0.hasPrefix("ok=") || $0.hasPrefix("changed=") || $0.hasPrefix("failed=") }
        return words.joined(separator: " ")
    }

    @Test func dockerNetworkCreatesChangesAndRemovesANetwork() async throws {
        let target = try await Self.target("net")
        let network = "\(target.prefix)-net"
        defer { _ = try? Shell.run([DockerEngine.docker, "network", "rm", network]) }
        let create = """
                - community.docker.docker_network:
                    name: "{{ p }}-net"
                    internal: true
                    labels: {tier: back}
                  register: net
                - debug: {msg: "driver={{ net.network.Driver }}"}
                  when: not ansible_check_mode

            """
        let check = try await target.run(create, ["--check"])
        #expect(check.status == 0 && Self.recap(check.output) == "ok=1 changed=1 failed=0", "\(check.output)")
        #expect(target.inspect("network", network) == nil, "--check creates nothing")

        let first = try await target.run(create)
        #expect(first.status == 0 && Self.recap(first.output) == "ok=2 changed=1 failed=0", "\(first.output)")
        #expect(first.output.contains("driver=bridge"), "\(first.output)")
        let created = try #require(target.inspect("network", network))
        #expect(created["Internal"] as? Bool == true)
        #expect((created["Labels"] as? [String: String])?["tier"] == "back")

        let second = try await target.run(create)
        #expect(second.status == 0 && Self.recap(second.output) == "ok=2 changed=0 failed=0", "\(second.output)")
        #expect(target.inspect("network", network)?["Id"] as? String == created["Id"] as? String, "the network was left as it was")

        // A changed setting recreates the network; --check first leaves it alone.
        let changed = "    - community.docker.docker_network: {name: \"{{ p }}-net\", internal: false, labels: {tier: back}}\n"
        let checkChange = try await target.run(changed, ["--check"])
        #expect(Self.recap(checkChange.output) == "ok=1 changed=1 failed=0", "\(checkChange.output)")
        #expect(target.inspect("network", network)?["Internal"] as? Bool == true)
        let change = try await target.run(changed)
        #expect(Self.recap(change.output) == "ok=1 changed=1 failed=0", "\(change.output)")
        #expect(target.inspect("network", network)?["Internal"] as? Bool == false)

        let absent = "    - community.docker.docker_network: {name: \"{{ p }}-net\", state: absent}\n"
        let checkAbsent = try await target.run(absent, ["--check"])
        #expect(Self.recap(checkAbsent.output) == "ok=1 changed=1 failed=0" && target.inspect("network", network) != nil, "\(checkAbsent.output)")
        let removed = try await target.run(absent)
        #expect(Self.recap(removed.output) == "ok=1 changed=1 failed=0", "\(removed.output)")
        #expect(target.inspect("network", network) == nil)
        let again = try await target.run(absent)
        #expect(Self.recap(again.output) == "ok=1 changed=0 failed=0", "\(again.output)")
    }

    /// A network of the test's own and a login to the test registry, for the tasks that follow.
    static func prepare(_ target: Target) async throws {
        let setup = try await target.run("""
                - community.docker.docker_network: {name: "{{ p }}-net"}
                - community.docker.docker_login:
                    registry_url: "{{ registry }}"
                    username: "{{ lookup('env', 'REGISTRY_USER') }}"
                    password: "{{ lookup('env', 'REGISTRY_PASSWORD') }}"
                  no_log: true

            """)
        #expect(setup.status == 0, "\(setup.output)")
    }

    static func container(_ version: String, greeting: String, port: Int, state: String = "started") -> String {
        """
            - community.docker.docker_container:
                name: "{{ p }}-app"
                image: "{{ repo }}:\(version)"
                state: \(state)
                networks: [{name: "{{ p }}-net"}]
                env: {GREETING: \(greeting), TOKEN: "tok-3141-secret"}
                ports: ["127.0.0.1:\(port):8080"]
                restart_policy: unless-stopped
                volumes: ["{{ p }}-data:/data"]
                command: /bin/busybox sleep 3600
                init: true
              register: app
            - debug: {msg: "image={{ app.container.Config.Image }}"}
              when: not ansible_check_mode

        """
    }

    @Test func dockerContainerIsCreatedOnlyWhenItDiffers() async throws {
        let target = try await Self.target("ctr")
        let name = "\(target.prefix)-app"
        let port = 40000 + target.host.port % 20000
        defer {
            _ = try? Shell.run([DockerEngine.docker, "rm", "-f", name])
            _ = try? Shell.run([DockerEngine.docker, "volume", "rm", "\(target.prefix)-data"])
            _ = try? Shell.run([DockerEngine.docker, "network", "rm", "\(target.prefix)-net"])
        }
        try await Self.prepare(target)
        let v100 = Self.container("1.0.0", greeting: "hello", port: port)

        let check = try await target.run(v100, ["--check"])
        #expect(check.status == 0 && Self.recap(check.output) == "ok=1 changed=1 failed=0", "\(check.output)")
        #expect(target.inspect("container", name) == nil, "--check creates nothing")

        let first = try await target.run(v100)
        #expect(first.status == 0 && Self.recap(first.output) == "ok=2 changed=1 failed=0", "\(first.output)")
        #expect(first.output.contains("image=\(target.engine.repository):1.0.0"), "\(first.output)")
        #expect(!first.output.contains("tok-3141-secret"))
        let created = try #require(target.inspect("container", name))
        let config = created["Config"] as? [String: Any] ?? [:]
        let host = created["HostConfig"] as? [String: Any] ?? [:]
        #expect(config["Image"] as? String == "\(target.engine.repository):1.0.0")
        let env = config["Env"] as? [String] ?? []
        #expect(env.contains("GREETING=hello") && env.contains("TOKEN=tok-3141-secret"), "\(env)")
        #expect(config["Cmd"] as? [String] == ["/bin/busybox", "sleep", "3600"])
        #expect((host["RestartPolicy"] as? [String: Any])?["Name"] as? String == "unless-stopped")
        #expect(host["Binds"] as? [String] == ["\(target.prefix)-data:/data"])
        let bindings = (host["PortBindings"] as? [String: Any])?["8080/tcp"] as? [[String: String]]
        #expect(bindings == [["HostIp": "127.0.0.1", "HostPort": "\(port)"]])
        #expect((created["State"] as? [String: Any])?["Running"] as? Bool == true)
        #expect(((created["NetworkSettings"] as? [String: Any])?["Networks"] as? [String: Any])?["\(target.prefix)-net"] != nil)

        let second = try await target.run(v100)
        #expect(second.status == 0 && Self.recap(second.output) == "ok=2 changed=0 failed=0", "\(second.output)")
        #expect(target.inspect("container", name)?["Id"] as? String == created["Id"] as? String, "the container was left as it was")

        // Another image and env: --check leaves the container alone; the run recreates it.
        let v101 = Self.container("1.0.1", greeting: "bonjour", port: port)
        let checkChange = try await target.run(v101, ["--check"])
        #expect(Self.recap(checkChange.output) == "ok=1 changed=1 failed=0", "\(checkChange.output)")
        #expect(target.inspect("container", name)?["Id"] as? String == created["Id"] as? String)
        let change = try await target.run(v101)
        #expect(change.status == 0 && Self.recap(change.output) == "ok=2 changed=1 failed=0", "\(change.output)")
        let recreated = try #require(target.inspect("container", name))
        #expect(recreated["Id"] as? String != created["Id"] as? String)
        let newEnv = (recreated["Config"] as? [String: Any])?["Env"] as? [String]
        #expect(newEnv?.contains("GREETING=bonjour") == true, "\(String(describing: newEnv))")
        #expect((recreated["Config"] as? [String: Any])?["Image"] as? String == "\(target.engine.repository):1.0.1")
        let again = try await target.run(v101)
        #expect(Self.recap(again.output) == "ok=2 changed=0 failed=0", "\(again.output)")

        // Stopped, then absent: each changes once.
        let stopped = Self.container("1.0.1", greeting: "bonjour", port: port, state: "stopped")
        let stop = try await target.run(stopped)
        #expect(Self.recap(stop.output) == "ok=2 changed=1 failed=0", "\(stop.output)")
        #expect((target.inspect("container", name)?["State"] as? [String: Any])?["Running"] as? Bool == false)
        #expect(target.inspect("container", name)?["Id"] as? String == recreated["Id"] as? String, "stopped, not recreated")
        let stopAgain = try await target.run(stopped)
        #expect(Self.recap(stopAgain.output) == "ok=2 changed=0 failed=0", "\(stopAgain.output)")

        let absent = "    - community.docker.docker_container: {name: \"{{ p }}-app\", state: absent}\n"
        let checkAbsent = try await target.run(absent, ["--check"])
        #expect(Self.recap(checkAbsent.output) == "ok=1 changed=1 failed=0" && target.inspect("container", name) != nil, "\(checkAbsent.output)")
        let remove = try await target.run(absent)
        #expect(Self.recap(remove.output) == "ok=1 changed=1 failed=0" && target.inspect("container", name) == nil, "\(remove.output)")
        let removeAgain = try await target.run(absent)
        #expect(Self.recap(removeAgain.output) == "ok=1 changed=0 failed=0", "\(removeAgain.output)")
    }

    /// `state: present` creates without starting; `pull: always` of an image that did not change, and a
    /// second start, change nothing; `recreate` always recreates.
    @Test func dockerContainerPresentPullAndRecreate() async throws {
        let target = try await Self.target("ctr2")
        let name = "\(target.prefix)-job"
        defer {
            _ = try? Shell.run([DockerEngine.docker, "rm", "-f", name])
            _ = try? Shell.run([DockerEngine.docker, "network", "rm", "\(target.prefix)-net"])
        }
        try await Self.prepare(target)
        func task(_ extra: String) -> String {
            "    - community.docker.docker_container: {name: \"{{ p }}-job\", image: \"{{ repo }}:1.0.0\", network_mode: none, init: true, \(extra)}\n"
        }
        let present = try await target.run(task("state: present, pull: always"))
        #expect(present.status == 0 && Self.recap(present.output) == "ok=1 changed=1 failed=0", "\(present.output)")
        let created = try #require(target.inspect("container", name))
        #expect((created["State"] as? [String: Any])?["Status"] as? String == "created")
        let pulledAgain = try await target.run(task("state: present, pull: always"))
        #expect(Self.recap(pulledAgain.output) == "ok=1 changed=0 failed=0", "the image did not change: \(pulledAgain.output)")

        let start = try await target.run(task("state: started"))
        #expect(Self.recap(start.output) == "ok=1 changed=1 failed=0", "\(start.output)")
        #expect(target.inspect("container", name)?["Id"] as? String == created["Id"] as? String, "started, not recreated")
        #expect((target.inspect("container", name)?["State"] as? [String: Any])?["Running"] as? Bool == true)
        let startAgain = try await target.run(task("state: started"))
        #expect(Self.recap(startAgain.output) == "ok=1 changed=0 failed=0", "\(startAgain.output)")

        let checkRecreate = try await target.run(task("recreate: true"), ["--check"])
        #expect(Self.recap(checkRecreate.output) == "ok=1 changed=1 failed=0", "\(checkRecreate.output)")
        #expect(target.inspect("container", name)?["Id"] as? String == created["Id"] as? String)
        let recreate = try await target.run(task("recreate: true"))
        #expect(Self.recap(recreate.output) == "ok=1 changed=1 failed=0", "\(recreate.output)")
        #expect(target.inspect("container", name)?["Id"] as? String != created["Id"] as? String)
    }

    /// Whether the test registry serves this repository's tag.
    static func registryHas(_ engine: DockerEngine, _ path: String, _ tag: String) -> Bool {
        (try? Shell.run(["curl", "-sf", "-o", "/dev/null", "-u", "\(engine.user):\(engine.password)",
                         "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
                         "http://\(engine.registry)/v2/\(path)/manifests/\(tag)"])) != nil
    }

    @Test func dockerImagePullsTagsPushesAndRemovesOnlyWhatIsNeeded() async throws {
        let target = try await Self.target("img")
        let mine = "\(target.engine.registry)/skiff-test/\(target.prefix)"
        defer {
            _ = try? Shell.run([DockerEngine.docker, "rmi", "\(mine):1.0.0"])
            _ = try? Shell.run([DockerEngine.docker, "network", "rm", "\(target.prefix)-net"])
        }
        try await Self.prepare(target)
        let publish = """
                - community.docker.docker_image:
                    name: "{{ repo }}"
                    tag: "1.0.0"
                    source: pull
                    repository: "{{ registry }}/skiff-test/{{ p }}"
                    push: true
                  register: img
                - debug: {msg: "actions={{ img.actions | join(',') }} id={{ img.image.Id }}"}
                  when: not ansible_check_mode

            """
        let check = try await target.run(publish, ["--check"])
        #expect(check.status == 0 && Self.recap(check.output) == "ok=1 changed=1 failed=0", "\(check.output)")
        #expect(target.inspect("image", "\(mine):1.0.0") == nil && !Self.registryHas(target.engine, "skiff-test/\(target.prefix)", "1.0.0"),
                "--check tags and pushes nothing")

        let first = try await target.run(publish)
        #expect(first.status == 0 && Self.recap(first.output) == "ok=2 changed=1 failed=0", "\(first.output)")
        #expect(first.output.contains("Tagged image \(target.engine.repository):1.0.0 to \(mine):1.0.0,Pushed image \(mine):1.0.0"), "\(first.output)")
        let source = try #require(target.inspect("image", "\(target.engine.repository):1.0.0"))
        #expect(target.inspect("image", "\(mine):1.0.0")?["Id"] as? String == source["Id"] as? String)
        #expect(Self.registryHas(target.engine, "skiff-test/\(target.prefix)", "1.0.0"), "pushed")
        let second = try await target.run(publish)
        #expect(second.status == 0 && Self.recap(second.output) == "ok=2 changed=0 failed=0", "\(second.output)")

        let absent = "    - community.docker.docker_image: {name: \"{{ registry }}/skiff-test/{{ p }}\", tag: \"1.0.0\", state: absent}\n"
        let checkAbsent = try await target.run(absent, ["--check"])
        #expect(Self.recap(checkAbsent.output) == "ok=1 changed=1 failed=0" && target.inspect("image", "\(mine):1.0.0") != nil, "\(checkAbsent.output)")
        let remove = try await target.run(absent)
        #expect(Self.recap(remove.output) == "ok=1 changed=1 failed=0" && target.inspect("image", "\(mine):1.0.0") == nil, "\(remove.output)")
        #expect(target.inspect("image", "\(target.engine.repository):1.0.0") != nil, "only the tag is removed")
        let removeAgain = try await target.run(absent)
        #expect(Self.recap(removeAgain.output) == "ok=1 changed=0 failed=0", "\(removeAgain.output)")

        // Pulled back from the registry: once.
        let pull = "    - community.docker.docker_image: {name: \"{{ registry }}/skiff-test/{{ p }}:1.0.0\", source: pull}\n"
        let checkPull = try await target.run(pull, ["--check"])
        #expect(Self.recap(checkPull.output) == "ok=1 changed=1 failed=0" && target.inspect("image", "\(mine):1.0.0") == nil, "\(checkPull.output)")
        let pulled = try await target.run(pull)
        #expect(Self.recap(pulled.output) == "ok=1 changed=1 failed=0" && target.inspect("image", "\(mine):1.0.0") != nil, "\(pulled.output)")
        let pulledAgain = try await target.run(pull)
        #expect(Self.recap(pulledAgain.output) == "ok=1 changed=0 failed=0", "\(pulledAgain.output)")
        let local = try await target.run("    - community.docker.docker_image: {name: \"{{ p }}/none\", source: local}\n")
        #expect(local.status == 2 && local.output.contains("Cannot find the image \(target.prefix)/none:latest locally"), "\(local.output)")
    }

    /// `docker_compose`, the v1 module name, on a target with only docker-compose v1.
    @Test func dockerComposeV1ModuleNameUpStopAndDown() async throws {
        let target = try await Self.target("dc1")
        let project = target.prefix
        defer {
            target.engine.removeProject(project)
            _ = try? Shell.run([DockerEngine.docker, "volume", "rm", "\(project)_data"])
            _ = try? Shell.run([DockerEngine.docker, "network", "rm", "\(target.prefix)-net"])
        }
        try await Self.prepare(target)
        _ = try target.files.write("docker-compose.yml", """
            services:
              app:
                image: \(target.engine.repository):1.0.1
                init: true
                volumes: [data:/data]
            volumes:
              data: {}

            """)
        func compose(_ arguments: String) -> String {
            """
                - ansible.builtin.copy: {src: docker-compose.yml, dest: /tmp/docker-compose.yml}
                - community.docker.docker_compose: {project_src: /tmp, project_name: "{{ p }}", \(arguments)}

            """
        }
        let up = try await target.run(compose("state: present"))
        #expect(up.status == 0 && Self.recap(up.output) == "ok=2 changed=2 failed=0", "\(up.output)")
        let running = try target.engine.containers(project: project)
        #expect(running.map(\.state) == ["running"] && running.first?.image == "\(target.engine.repository):1.0.1", "\(running)")
        let again = try await target.run(compose("state: present"))
        #expect(again.status == 0 && Self.recap(again.output) == "ok=2 changed=0 failed=0", "\(again.output)")
        #expect(try target.engine.containers(project: project).map(\.id) == running.map(\.id))

        let stop = try await target.run(compose("stopped: true"))
        #expect(Self.recap(stop.output) == "ok=2 changed=1 failed=0", "\(stop.output)")
        #expect(try target.engine.containers(project: project).map(\.state) == ["exited"])

        let down = compose("state: absent, remove_volumes: true")
        let checkDown = try await target.run(down, ["--check"])
        let afterCheck = try target.engine.containers(project: project)
        #expect(checkDown.status == 0 && afterCheck.count == 1, "--check removes nothing: \(checkDown.output)")
        let removed = try await target.run(down)
        #expect(Self.recap(removed.output) == "ok=2 changed=1 failed=0", "\(removed.output)")
        #expect(try target.engine.containers(project: project).isEmpty)
        #expect(target.inspect("volume", "\(project)_data") == nil, "remove_volumes")
        let removedAgain = try await target.run(down)
        #expect(Self.recap(removedAgain.output) == "ok=2 changed=0 failed=0", "\(removedAgain.output)")
    }

    /// `docker_image` with `source: build`: under `--check` nothing is built; the first run builds (args,
    /// target, labels, another Dockerfile name), the second leaves the image alone (no rebuild: with
    /// `nocache` a rebuild would give another id), `force_source` builds again.
    @Test func dockerImageBuildsOnlyWhenTheImageIsMissing() async throws {
        let target = try await Self.target("build")
        let image = "\(target.prefix)-built:1"
        defer {
            _ = try? Shell.run([DockerEngine.docker, "rmi", "-f", image])
            _ = try? Shell.run([DockerEngine.docker, "network", "rm", "\(target.prefix)-net"])
        }
        try await Self.prepare(target)
        let context = try await target.run("""
                - ansible.builtin.file: {path: "/tmp/{{ p }}-context", state: directory}
                - ansible.builtin.copy:
                    dest: "/tmp/{{ p }}-context/Dockerfile.skiff"
                    content: |
                      FROM {{ repo }}:1.0.0 AS base
                      ARG GREETING=none
                      RUN echo "$GREETING" > /greeting
                      FROM base AS final
                      RUN echo final > /final

            """)
        #expect(context.status == 0, "\(context.output)")
        func build(_ extra: String = "") -> String {
            """
                - community.docker.docker_image:
                    name: "{{ p }}-built"
                    tag: "1"
                    source: build
                    build:
                      path: "/tmp/{{ p }}-context"
                      dockerfile: Dockerfile.skiff
                      args: {GREETING: "hello from {{ p }}"}
                      target: base
                      nocache: true
                      labels: {tier: built}
                    \(extra)
                  register: built
                - debug: {msg: "actions={{ built.actions | join(',') }}"}

            """
        }
        let check = try await target.run(build(), ["--check"])
        #expect(check.status == 0 && Self.recap(check.output) == "ok=2 changed=1 failed=0", "\(check.output)")
        #expect(check.output.contains("actions=Built image \(image) from /tmp/\(target.prefix)-context"), "\(check.output)")
        #expect(target.inspect("image", image) == nil, "--check builds nothing")

        let first = try await target.run(build())
        #expect(first.status == 0 && Self.recap(first.output) == "ok=2 changed=1 failed=0", "\(first.output)")
        let built = try #require(target.inspect("image", image))
        #expect((built["Config"] as? [String: Any])?["Labels"] as? [String: String] == ["tier": "built"], "\(built)")
        let greeting = try Shell.run([DockerEngine.docker, "run", "--rm", "--network", "none", image, "/bin/busybox", "cat", "/greeting"])
        #expect(greeting.contains("hello from \(target.prefix)\n"), "the build argument reached the build: \(greeting)")
        #expect((try? Shell.run([DockerEngine.docker, "run", "--rm", "--network", "none", image, "/bin/busybox", "test", "-e", "/final"])) == nil,
                "built up to the target stage only")

        let second = try await target.run(build())
        #expect(second.status == 0 && Self.recap(second.output) == "ok=2 changed=0 failed=0", "\(second.output)")
        #expect(second.output.contains("actions="), "\(second.output)")
        #expect(target.inspect("image", image)?["Id"] as? String == built["Id"] as? String, "not built again")

        let forced = try await target.run(build("force_source: true"))
        #expect(forced.status == 0 && Self.recap(forced.output) == "ok=2 changed=1 failed=0", "\(forced.output)")
        #expect(target.inspect("image", image)?["Id"] as? String != built["Id"] as? String, "built again")

        let broken = try await target.run("    - community.docker.docker_image: {name: \"{{ p }}-broken\", source: build, build: {path: /nonexistent}}\n")
        #expect(broken.status == 2 && broken.output.contains("docker build failed"), "\(broken.output)")
    }

    /// `--check` with `docker_compose_v2` (through a `docker compose` plugin) and with the v1 name
    /// `docker_compose` (docker-compose v1): changed when a container is missing, outdated, stopped or
    /// would be removed, ok when all is as the file says, and the engine's containers stay as they were.
    @Test(arguments: [("community.docker.docker_compose_v2", DockerEngine.Compose.userPlugin), ("community.docker.docker_compose", .v1Only)])
    func composeCheckModeReportsWhatWouldChangeAndChangesNothing(module: String, compose: DockerEngine.Compose) async throws {
        let target = try await Self.target(module.hasSuffix("v2") ? "cc2" : "cc1", compose: compose)
        let project = target.prefix
        defer {
            target.engine.removeProject(project)
            // prepare's network: left behind, each run's would use up the engine's address pools.
            _ = try? Shell.run([DockerEngine.docker, "network", "rm", "\(project)-net"])
        }
        func file(_ command: String) -> String {
            """
                - ansible.builtin.copy:
                    dest: /tmp/docker-compose.yml
                    content: |
                      services:
                        app: {image: "{{ repo }}:1.0.1", init: true, command: "\(command)", network_mode: none}
                        web: {image: "{{ repo }}:1.0.1", init: true, command: "/bin/busybox sleep 3600", network_mode: none}

            """
        }
        let up = """
                - \(module): {project_src: /tmp, project_name: "{{ p }}"}
                  register: deploy
                - debug: {msg: "would={{ deploy.actions | default([]) | map(attribute='status') | join(',') }}"}
                  when: ansible_check_mode

            """
        try await Self.prepare(target)
        #expect(try await target.run(file("/bin/busybox sleep 3600")).status == 0)

        let fresh = try await target.run(up, ["--check"])
        #expect(fresh.status == 0 && Self.recap(fresh.output) == "ok=2 changed=1 failed=0", "\(fresh.output)")
        #expect(fresh.output.contains("would=Creating,Creating"), "\(fresh.output)")
        #expect(try target.engine.containers(project: project).isEmpty, "--check creates nothing")

        let first = try await target.run(up)
        #expect(first.status == 0 && Self.recap(first.output) == "ok=1 changed=1 failed=0", "\(first.output)")
        let running = try target.engine.containers(project: project)
        #expect(running.count == 2 && running.allSatisfy { $0.state == "running" }, "\(running)")
        if case .userPlugin = compose {
            #expect(FileManager.default.fileExists(atPath: target.host.pathInside("/tmp/compose-plugin-used")), "docker compose ran")
        }

        let same = try await target.run(up, ["--check"])
        #expect(same.status == 0 && Self.recap(same.output) == "ok=2 changed=0 failed=0", "\(same.output)")
        #expect(same.output.contains("would=\n") || same.output.contains("would=\""), "\(same.output)")

        // web stopped behind compose's back, app's command changed: start web, recreate app.
        let web = try #require(running.first { $0.service == "web" })
        _ = try Shell.run([DockerEngine.docker, "stop", "-t", "1", web.id])
        #expect(try await target.run(file("/bin/busybox sleep 3601")).status == 0)
        let outdated = try await target.run(up, ["--check"])
        #expect(outdated.status == 0 && Self.recap(outdated.output) == "ok=2 changed=1 failed=0", "\(outdated.output)")
        #expect(outdated.output.contains("would=Recreating,Starting"), "\(outdated.output)")
        let after = try target.engine.containers(project: project)
        #expect(Set(after.map(\.id)) == Set(running.map(\.id)), "no container was recreated")
        #expect(after.first { $0.service == "web" }?.state == "exited", "web was not started")

        let down = """
                - \(module): {project_src: /tmp, project_name: "{{ p }}", state: absent}
                  register: deploy
                - debug: {msg: "would={{ deploy.actions | map(attribute='status') | join(',') }}"}

            """
        let checkDown = try await target.run(down, ["--check"])
        #expect(checkDown.status == 0 && Self.recap(checkDown.output) == "ok=2 changed=1 failed=0", "\(checkDown.output)")
        #expect(checkDown.output.contains("would=Removing,Removing"), "\(checkDown.output)")
        #expect(try target.engine.containers(project: project).count == 2, "--check removes nothing")
    }
}
