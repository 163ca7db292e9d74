import Foundation

/// The real Docker engine and password-protected registry that `scripts/docker-engine` starts (once, shared
/// by every test that needs them), and what tests ask it: which container of a compose project runs which
/// image. Tests of this tier are enabled when the script has run (`scripts/test` runs it first).
public struct DockerEngine: Sendable {
    /// `127.0.0.1:5000`.
    public let registry: String
    /// `127.0.0.1:5000/skiff-test/app`, with tags 1.0.0 and 1.0.1 in the registry (not kept locally at first).
    public let repository: String
    public let user: String
    public let password: String
    /// The engine's own client, whatever else is on PATH.
    public static let docker = "/usr/bin/docker"

    public static let current: DockerEngine? = {
        let directory = ProcessInfo.processInfo.environment["SKIFF_DOCKER_STATE_DIR"] ?? "/tmp/skiff-docker-engine"
        guard let text = try? String(contentsOfFile: directory + "/engine.env", encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let registry = values["SKIFF_DOCKER_REGISTRY"], let repository = values["SKIFF_DOCKER_REPOSITORY"],
            let user = values["SKIFF_DOCKER_USER"], let password = values["SKIFF_DOCKER_PASSWORD"],
            (try? Shell.run([docker, "info", "--format", "{{.ServerVersion}}"])) != nil
        else { return nil }
        return DockerEngine(registry: registry, repository: repository, user: user, password: password)
    }()

    public static var available: Bool { current != nil }

    /// One container as `docker inspect` sees it.
    public struct Container: Sendable, Equatable {
        public var id: String
        public var service: String
        /// The image reference the container was created from (`…/app:1.0.1`).
        public var image: String
        /// The image's repository digests (`…/app@sha256:…`).
        public var digests: [String]
        /// `running`, `exited`, …
        public var state: String
    }

    /// The containers of a compose project, by service name.
    public func containers(project: String) throws -> [Container] {
        let ids = try Shell.run([Self.docker, "ps", "-aq", "--filter", "label=com.docker.compose.project=\(project)"])
            .split(separator: "\n").map(String.init)
        return try ids.map { id in
            let fields = try Shell.run([Self.docker, "inspect", "--format",
                                        #"{{.Id}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.Config.Image}}|{{.Image}}|{{.State.Status}}"#, id])
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { throw Shell.Failure(command: ["docker", "inspect", id], status: -1, output: fields.joined(separator: "|")) }
            let digests = try Shell.run([Self.docker, "image", "inspect", "--format", #"{{join .RepoDigests " "}}"#, fields[3]])
                .split(whereSeparator: \.isWhitespace).map(String.init)
            return Container(id: fields[0], service: fields[1], image: fields[2], digests: digests, state: fields[4])
        }
    }

    /// The digest the registry serves for a tag (`sha256:…`), as a pull records it.
    public func digest(of tag: String) throws -> String {
        let headers = try Shell.run([
            "curl", "-sfI", "-u", "\(user):\(password)", "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
            "http://\(registry)/v2/\(repository.split(separator: "/", maxSplits: 1).last ?? "")/manifests/\(tag)",
        ])
        let line = headers.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("docker-content-digest:") } ?? ""
        return line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
    }

    /// Removes a compose project's containers and network (what a test deployed).
    public func removeProject(_ project: String) {
        if let ids = try? Shell.run([Self.docker, "ps", "-aq", "--filter", "label=com.docker.compose.project=\(project)"]) {
            let list = ids.split(separator: "\n").map(String.init)
            if !list.isEmpty { _ = try? Shell.run([Self.docker, "rm", "-f"] + list) }
        }
        _ = try? Shell.run([Self.docker, "network", "rm", "\(project)_default"])
    }

    /// How a target's `docker compose` works.
    public enum Compose: Sendable {
        /// Only `docker-compose` (v1), as Debian 12 ships it: `docker compose` is an unknown command.
        case v1Only
        /// `docker compose` from a plugin installed for the user in `~/.docker/cli-plugins` (Docker's manual
        /// install); here a stand-in that runs docker-compose v1 and leaves `~/compose-plugin-used` behind.
        case userPlugin
    }

    /// Makes a test host a Docker target: the user (a `TestHost` `loginUser`) joins group `docker`, the
    /// session's `docker` is the engine's real client, and compose is what `compose` says.
    public func prepare(_ host: TestHost, user: String, compose: Compose) throws {
        // The host's private /etc/group is bind-mounted: rewrite it in place (same file).
        let group = host.directory.file("group")
        let lines = try String(contentsOfFile: group, encoding: .utf8).split(separator: "\n").map { line in
            guard line.hasPrefix("docker:") else { return String(line) }
            return line.hasSuffix(":") ? "\(line)\(user)" : "\(line),\(user)"
        }
        try Shell.run(["sh", "-c", "cat > \"$0\"", group], stdin: lines.joined(separator: "\n") + "\n")
        try host.directory.write("bin/docker", "#!/bin/sh\nexec \(Self.docker) \"$@\"\n", mode: 0o755)
        let home = host.pathInside("/tmp")
        if case .userPlugin = compose {
            let plugins = home + "/.docker/cli-plugins"
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            try """
                #!/bin/sh
                if [ "$1" = docker-cli-plugin-metadata ]; then
                  echo '{"SchemaVersion":"0.1.0","Vendor":"Skiff tests","Version":"v2.0.0","ShortDescription":"docker-compose v1 as docker compose"}'
                  exit 0
                fi
                shift
                touch "$HOME/compose-plugin-used"
                exec docker-compose "$@"
                """.write(toFile: plugins + "/docker-compose", atomically: false, encoding: .utf8)
            chmod(plugins + "/docker-compose", 0o755)
        }
        try Shell.run(["chown", "-R", "4242:4242", home])
    }
}
