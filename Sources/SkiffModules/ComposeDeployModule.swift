import OrderedCollections
import SkiffCore

/// `skiff.compose_deploy`: the whole release deploy as one task, done right. In a private per-run
/// directory on the host: upload the compose file(s), log in with a `DOCKER_CONFIG` inside that
/// directory, `docker compose -p PROJECT -f … pull`, then `up -d` with `VERSION` (and `env`) set,
/// then — whatever happened — log out and remove the directory, credentials included.
///
/// Compose is `docker compose` (also a plugin the user installed in `~/.docker/cli-plugins`, which the
/// private `DOCKER_CONFIG` links to), else `docker-compose` (v1). A watcher started with the directory
/// logs out and removes it when the SSH session ends before the deploy's own cleanup ran (the controller
/// was killed, the connection was lost). The result tells what runs before and after (per container:
/// service, image, digest, state, health), the pull and up output (`stderr`, shown with `-v`), and is
/// `changed` only when compose created, recreated, started or removed a container. A container of the
/// project that is not running after `up` fails the host (with `wait`, also one whose healthcheck does not
/// say healthy).
public enum ComposeDeployModule {
    /// - Parameters:
    ///   - files: the compose files, resolved on the controller.
    ///   - runDirectory: a fresh, unpredictable path for this run and task (`/tmp/skiff-<128 random bits>`),
    ///     made here with `mkdir` (mode 0700), which refuses a name that exists.
    public static func plan(
        _ arguments: ModuleArguments, files: [String], runDirectory: String, environment: OrderedDictionary<String, String>
    ) throws -> ModulePlan {
        let project = try arguments.required("project", aliases: ["project_name"])
        let version = try arguments.required("version")
        guard !files.isEmpty else { throw ModuleError("skiff.compose_deploy: give the compose file(s) in 'files'") }
        let registry = arguments.string("registry_url", aliases: ["registry"])
        let dockerConfig = "\(runDirectory)/docker"
        var env = environment
        for (key, value) in arguments.values["env"]?.dictValue ?? [:] {
            guard EnvironmentExports.isName(key) else { throw ModuleError("skiff.compose_deploy: env: '\(key)' is not a valid variable name") }
            env[key] = value.text
        }
        env["VERSION"] = version
        env["DOCKER_CONFIG"] = dockerConfig
        let remoteFiles = files.enumerated().map { "\(runDirectory)/\($0.offset)-\(basename($0.element))" }
        let logout = registry.map { "docker logout \(ShellQuote.quote($0)) >/dev/null 2>&1 || true" }

        var cleanup = [RemoteStep(.argv(["rm", "-rf", "--", runDirectory]))]
        if let logout {
            cleanup.insert(RemoteStep(.shell(logout), environment: ["DOCKER_CONFIG": dockerConfig]), at: 0)
        }

        var uploads: [Deploy] = []
        for (local, remote) in zip(files, remoteFiles) {
            uploads.append(.upload(UploadStep(.localFile(local), to: remote, mode: 0o600)))
        }
        if let registry {
            let username = try arguments.required("username")
            let password = try arguments.required("password")
            uploads.append(.run(RemoteStep(
                .argv(["docker", "login", registry, "--username", username, "--password-stdin"]), environment: ["DOCKER_CONFIG": dockerConfig],
                stdin: Sensitive(Array(password.utf8))), .login))
        }
        var upOptions = ["up", "--detach"]
        if arguments.bool("remove_orphans") { upOptions.append("--remove-orphans") }
        if arguments.bool("wait") {
            upOptions.append("--wait")
            if let timeout = arguments.int("wait_timeout") { upOptions += ["--wait-timeout", String(timeout)] }
        }
        let pull = arguments.string("pull") != "never"
        let healthy = arguments.bool("wait")
        let (composeEnvironment, deployUploads, up) = (env, uploads, upOptions)

        /// The deploy proper, once it is known which compose the host has.
        @Sendable func steps(compose command: [String]) -> [Deploy] {
            let compose = command + ["-p", project] + remoteFiles.flatMap { ["-f", $0] }
            let containers = RemoteStep(.shell(ComposeContainers.script(compose: compose)), environment: composeEnvironment)
            var steps = deployUploads + [.capture(containers, .before)]
            if pull { steps.append(.run(RemoteStep(.argv(compose + ["pull"]), environment: composeEnvironment), .pull)) }
            steps.append(.run(RemoteStep(.argv(compose + up), environment: composeEnvironment), .up))
            steps.append(.capture(containers, .after))
            return steps
        }

        let fields: OrderedDictionary<String, Value> = ["project": .string(project), "version": .string(version)]
        // Created exclusively (no -p): an existing directory, or a symlink planted at its name, is refused.
        let create = RemoteStep(.shell(
            ShellQuote.join(["mkdir", "-m", "700", "--", runDirectory]) + " && " + ShellQuote.join(["mkdir", "-m", "700", "--", dockerConfig])
                + " || exit 1\n" + pluginLink(dockerConfig) + "\n" + SessionWatcher.start(runDirectory: runDirectory, dockerConfig: dockerConfig, logout: logout)))
        let probe = RemoteStep(.argv(["docker", "compose", "version"]), environment: env)
        let cleanupSteps = cleanup
        let deploy = ModuleProgram.run(create) { result in
            // When the directory could not be made, nothing of this run is on the host to clean up (and what
            // is at that name is not ours to remove).
            guard result.succeeded else {
                return .finish(ModuleOutcome(
                    failed: true, message: "cannot create the private directory \(runDirectory): \(result.stderrText.trimmingTrailingNewlines)",
                    result: fields))
            }
            return .run(probe) { version in
                let command = version.succeeded ? ["docker", "compose"] : ["docker-compose"]
                var fields = fields
                fields["compose"] = .string(command.joined(separator: " "))
                return program(steps(compose: command)[...], cleanup: cleanupSteps[...], state: Progress(fields: fields, healthy: healthy))
            }
        }
        return ModulePlan(deploy, abortCleanup: cleanup)
    }

    /// Compose plugins the user installed (`~/.docker/cli-plugins`, or under their own `DOCKER_CONFIG`)
    /// stay visible to `docker compose` under the private `DOCKER_CONFIG`: a symlink to their directory.
    static func pluginLink(_ dockerConfig: String) -> String {
        let link = ShellQuote.quote("\(dockerConfig)/cli-plugins")
        return "{ plugins=\"${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins\"; if [ -d \"$plugins\" ]; then ln -s \"$plugins\" \(link); fi; }"
    }

    enum Step: Sendable {
        case login, pull, up
        var description: String {
            switch self {
            case .login: "docker login"
            case .pull: "docker compose pull"
            case .up: "docker compose up"
            }
        }
    }

    enum Moment: String, Sendable { case before, after }

    enum Deploy: Sendable {
        case run(RemoteStep, Step)
        case upload(UploadStep)
        /// Asks which containers run (read only); the answer goes into the result.
        case capture(RemoteStep, Moment)
    }

    struct Progress: Sendable {
        var fields: OrderedDictionary<String, Value>
        /// `wait` was asked: a container with a healthcheck must also be healthy.
        var healthy = false
        var failure: String?
        var rc: Int?
        var changed = false
        var output: [String] = []
    }

    /// Walks the steps; on the first failure skips to the cleanup, which always runs, then finishes.
    private static func program(_ steps: ArraySlice<Deploy>, cleanup: ArraySlice<RemoteStep>, state: Progress) -> ModuleProgram {
        if state.failure == nil, let step = steps.first {
            let rest = steps.dropFirst()
            switch step {
            case .run(let remote, let what):
                return .run(remote) { result in
                    var state = state
                    let text = (result.stdoutText + result.stderrText).trimmingTrailingNewlines
                    if what != .login, !text.isEmpty { state.output.append(text) }
                    if what == .up { state.changed = DockerComposeModule.reportsChange(result) }
                    if !result.succeeded {
                        state.failure = "\(what.description) failed (\(result.termination)): \(result.stderrText.trimmingTrailingNewlines)"
                        state.rc = result.exitStatus.map(Int.init) ?? -1
                    }
                    return program(rest, cleanup: cleanup, state: state)
                }
            case .upload(let upload):
                return .upload(upload) { program(rest, cleanup: cleanup, state: state) }
            case .capture(let remote, let moment):
                return .run(remote) { result in
                    var state = state
                    if result.succeeded {
                        let containers = ComposeContainers.parse(result.stdoutText)
                        state.fields["containers_\(moment.rawValue)"] = .list(containers.map(\.value))
                        state.fields["images_\(moment.rawValue)"] = .list(containers.map { .string($0.reference) })
                    }
                    return program(rest, cleanup: cleanup, state: state)
                }
            }
        }
        if let step = cleanup.first {
            return .run(step) { _ in program([], cleanup: cleanup.dropFirst(), state: state) }
        }
        var state = state
        if state.failure == nil, case .list(let containers)? = state.fields["containers_after"] {
            let stopped = containers.compactMap(\.dictValue).filter { container in
                let health = container["health"]?.text ?? ""
                return container["state"]?.text != "running" || (state.healthy && !health.isEmpty && health != "healthy")
            }
            if !stopped.isEmpty {
                state.failure = "not running after docker compose up: " + stopped.map { container in
                    let health = container["health"]?.text ?? ""
                    return "\(container["service"]?.text ?? "?") is \(container["state"]?.text ?? "?")" + (health.isEmpty ? "" : " (\(health))")
                }.joined(separator: ", ")
                state.rc = 1
            }
        }
        var fields = state.fields
        if state.failure == nil, fields["containers_before"] != fields["containers_after"] { fields["changed_containers"] = .bool(true) }
        let changed = state.failure == nil && (state.changed || fields["changed_containers"] != nil)
        fields["changed_containers"] = nil
        fields["rc"] = .int(state.rc ?? 0)
        fields["stdout"] = .string(ComposeContainers.summary(fields["containers_after"]))
        fields["stderr"] = .string(state.output.joined(separator: "\n"))
        return .finish(ModuleOutcome(changed: changed, failed: state.failure != nil, message: state.failure, result: fields))
    }

    private static func basename(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}

extension ComposeDeployModule: Module {
    public static let names = ModuleNames.collection("skiff", "compose_deploy")
    public static let arguments = ArgumentSpec([
        .string("project", required: true, aliases: ["project_name"]), .list("files", required: true, aliases: ["compose_files"]),
        .string("version", required: true), .string("registry_url", aliases: ["registry"]), .string("username"),
        .string("password"), .dict("env"), .string("pull"), .bool("wait"), .int("wait_timeout"), .bool("remove_orphans"),
    ])

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let files = try arguments.list("files", aliases: ["compose_files"]).map { try context.files.locate($0, kind: "files") }
        return try plan(arguments, files: files, runDirectory: context.runDirectory(), environment: context.environment)
    }
}
