import OrderedCollections
import SkiffCore

/// `skiff.compose_deploy`: the whole release deploy as one task, done right. In a private per-run
/// directory on the host: upload the compose file(s), log in with a `DOCKER_CONFIG` inside that
/// directory, `docker compose -p PROJECT -f … pull`, then `up -d` with `VERSION` (and `env`) set,
/// then — whatever happened — log out and remove the directory, credentials included.
/// Reports the images before and after when compose can tell.
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
        let compose = ["docker", "compose", "-p", project] + remoteFiles.flatMap { ["-f", $0] }
        let images = RemoteStep(.argv(compose + ["images", "--format", "json"]), environment: env)

        var cleanup = [RemoteStep(.argv(["rm", "-rf", "--", runDirectory]))]
        if let registry {
            cleanup.insert(RemoteStep(.shell("docker logout \(ShellQuote.quote(registry)) >/dev/null 2>&1 || true"), environment: ["DOCKER_CONFIG": dockerConfig]), at: 0)
        }

        // The steps of the deploy proper, each only when the previous one succeeded.
        // Created exclusively (no -p): an existing directory, or a symlink planted at its name, is refused.
        let create = RemoteStep(.shell(
            ShellQuote.join(["mkdir", "-m", "700", "--", runDirectory]) + " && " + ShellQuote.join(["mkdir", "-m", "700", "--", dockerConfig])))
        var steps: [Deploy] = []
        for (local, remote) in zip(files, remoteFiles) {
            steps.append(.upload(UploadStep(.localFile(local), to: remote, mode: 0o600)))
        }
        if let registry {
            let username = try arguments.required("username")
            let password = try arguments.required("password")
            steps.append(.run(RemoteStep(
                .argv(["docker", "login", registry, "--username", username, "--password-stdin"]), environment: ["DOCKER_CONFIG": dockerConfig],
                stdin: Sensitive(Array(password.utf8))), "docker login \(registry)"))
        }
        steps.append(.capture(images, "before"))
        if arguments.string("pull") != "never" {
            steps.append(.run(RemoteStep(.argv(compose + ["pull"]), environment: env), "docker compose pull"))
        }
        var up = compose + ["up", "--detach"]
        if arguments.bool("remove_orphans") { up.append("--remove-orphans") }
        if arguments.bool("wait") {
            up.append("--wait")
            if let timeout = arguments.int("wait_timeout") { up += ["--wait-timeout", String(timeout)] }
        }
        steps.append(.run(RemoteStep(.argv(up), environment: env), "docker compose up"))
        steps.append(.capture(images, "after"))

        let fields: OrderedDictionary<String, Value> = ["project": .string(project), "version": .string(version)]
        // When the directory could not be made, nothing of this run is on the host to clean up (and what
        // is at that name is not ours to remove).
        let (deploySteps, cleanupSteps) = (steps, cleanup)
        let deploy = ModuleProgram.run(create) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(
                    failed: true, message: "cannot create the private directory \(runDirectory): \(result.stderrText.trimmingTrailingNewlines)",
                    result: fields))
            }
            return program(deploySteps[...], cleanup: cleanupSteps[...], fields: fields, failure: nil)
        }
        return ModulePlan(deploy, abortCleanup: cleanup)
    }

    enum Deploy: Sendable {
        case run(RemoteStep, String)
        case upload(UploadStep)
        /// Runs a read-only command whose output goes into the result under this name.
        case capture(RemoteStep, String)
    }

    /// Walks the steps; on the first failure skips to the cleanup, which always runs, then finishes.
    private static func program(
        _ steps: ArraySlice<Deploy>, cleanup: ArraySlice<RemoteStep>, fields: OrderedDictionary<String, Value>, failure: String?
    ) -> ModuleProgram {
        if failure == nil, let step = steps.first {
            let rest = steps.dropFirst()
            switch step {
            case .run(let remote, let what):
                return .run(remote) { result in
                    var fields = fields
                    if what.hasPrefix("docker compose") { fields[what == "docker compose up" ? "up" : "pull"] = .string(result.stderrText.trimmingTrailingNewlines) }
                    let failed = result.succeeded ? nil : "\(what) failed (\(result.termination)): \(result.stderrText.trimmingTrailingNewlines)"
                    return program(rest, cleanup: cleanup, fields: fields, failure: failed)
                }
            case .upload(let upload):
                return .upload(upload) { program(rest, cleanup: cleanup, fields: fields, failure: nil) }
            case .capture(let remote, let name):
                return .run(remote) { result in
                    var fields = fields
                    if result.succeeded { fields["images_\(name)"] = .string(result.stdoutText.trimmingTrailingNewlines) }
                    return program(rest, cleanup: cleanup, fields: fields, failure: nil)
                }
            }
        }
        if let step = cleanup.first {
            return .run(step) { _ in program([], cleanup: cleanup.dropFirst(), fields: fields, failure: failure) }
        }
        return .finish(ModuleOutcome(changed: failure == nil, failed: failure != nil, message: failure, result: fields))
    }

    private static func basename(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}
