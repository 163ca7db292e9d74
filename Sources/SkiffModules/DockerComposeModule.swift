import OrderedCollections
import SkiffCore

/// `community.docker.docker_compose_v2`: `docker compose` with an explicit project and files, for
/// `state` present (up -d), absent (down), stopped (stop), restarted (restart); `pull`, `recreate`, `build`
/// (always: `--build`, never: `--no-build`), `dependencies` (false: `--no-deps`), `remove_orphans`,
/// `remove_images` and `remove_volumes` (of `down`), `services`, `timeout`, `wait`/`wait_timeout`,
/// `env_files`; the task's `environment` reaches compose. Falls back to `docker-compose` (v1) when the plugin is missing. `changed` reflects what
/// compose reports doing. Under `--check` nothing changes: `changed` says whether a container would be
/// created, recreated, started, stopped, restarted or removed, and `actions` which (see `ComposeCheck`).
public enum DockerComposeModule {
    public static func plan(_ arguments: ModuleArguments, environment: OrderedDictionary<String, String>) throws -> ModulePlan {
        let base = try options(arguments)
        let action = try self.action(arguments)
        let chdir = arguments.string("project_src")
        let probe = RemoteStep(.argv(["docker", "compose", "version"]))
        return ModulePlan(.run(probe) { version in
            let command = version.succeeded ? ["docker", "compose"] : ["docker-compose"]
            if arguments.checkMode { return check(arguments, compose: command + base, environment: environment, chdir: chdir) }
            let step = RemoteStep(.argv(command + base + action), environment: environment, chdir: chdir)
            return .run(step) { result in
                let fields = ModuleOutcome.commandFields(result, cmd: .list((command + base + action).map(Value.string)))
                return .finish(ModuleOutcome(
                    changed: result.succeeded && reportsChange(result), failed: !result.succeeded,
                    message: result.succeeded ? nil : result.stderrText.trimmingTrailingNewlines, result: fields))
            }
        })
    }

    /// Under `--check`: what compose would do, from the project's containers (see `ComposeCheck`).
    static func check(_ arguments: ModuleArguments, compose: [String], environment: OrderedDictionary<String, String>, chdir: String?) -> ModuleProgram {
        .run(RemoteStep(.shell(ComposeCheck.script(compose: compose)), environment: environment, chdir: chdir)) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "cannot read the compose project: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            let (want, have) = ComposeCheck.parse(result.stdoutText)
            let actions = ComposeCheck.actions(arguments, want: want, have: have)
            return .finish(ModuleOutcome(changed: !actions.isEmpty, result: ["actions": .list(actions)]))
        }
    }

    /// `-p PROJECT -f FILE … --env-file F …`: the global options.
    static func options(_ arguments: ModuleArguments) throws -> [String] {
        var words: [String] = []
        if let project = arguments.string("project_name") { words += ["-p", project] }
        for file in arguments.list("files") { words += ["-f", file] }
        for file in arguments.list("env_files") { words += ["--env-file", file] }
        if arguments.string("project_src") == nil && arguments.list("files").isEmpty {
            throw ModuleError("docker_compose_v2: give project_src or files")
        }
        return words
    }

    static func action(_ arguments: ModuleArguments) throws -> [String] {
        let services = arguments.list("services")
        let timeout = arguments.int("timeout").map { ["--timeout", String($0)] } ?? []
        switch arguments.string("state") ?? "present" {
        case "present":
            var words = ["up", "--detach"]
            switch arguments.string("pull") ?? "policy" {
            case "always": words += ["--pull", "always"]
            case "missing": words += ["--pull", "missing"]
            case "never": words += ["--pull", "never"]
            case "policy": break
            case let other: throw ModuleError("docker_compose_v2: pull must be always, missing, never or policy, not '\(other)'")
            }
            switch arguments.string("recreate") ?? "auto" {
            case "always": words.append("--force-recreate")
            case "never": words.append("--no-recreate")
            case "auto": break
            case let other: throw ModuleError("docker_compose_v2: recreate must be always, never or auto, not '\(other)'")
            }
            switch arguments.string("build") ?? "policy" {
            case "always": words.append("--build")
            case "never": words.append("--no-build")
            case "policy": break
            case let other: throw ModuleError("docker_compose_v2: build must be always, never or policy, not '\(other)'")
            }
            if !arguments.bool("dependencies", default: true) { words.append("--no-deps") }
            if arguments.bool("remove_orphans") { words.append("--remove-orphans") }
            words += timeout
            if arguments.bool("wait") {
                words.append("--wait")
                if let timeout = arguments.int("wait_timeout") { words += ["--wait-timeout", String(timeout)] }
            }
            return words + services
        case "absent":
            var words = ["down"] + (arguments.bool("remove_orphans") ? ["--remove-orphans"] : [])
            if let images = arguments.string("remove_images") {
                guard ["all", "local"].contains(images) else {
                    throw ModuleError("docker_compose_v2: remove_images must be all or local, not '\(images)'")
                }
                words += ["--rmi", images]
            }
            if arguments.bool("remove_volumes") { words.append("--volumes") }
            return words + timeout
        case "stopped":
            return ["stop"] + timeout + services
        case "restarted":
            return ["restart"] + timeout + services
        case let other:
            throw ModuleError("docker_compose_v2: state must be present, absent, stopped or restarted, not '\(other)'")
        }
    }

    /// Compose prints one progress line per container action: `Container app-1  Started` (v2),
    /// `Recreating app_app_1 ... done` (v1). `Running`, `is up-to-date` and pulling are no change.
    static func reportsChange(_ result: CommandResult) -> Bool {
        let words = ["Created", "Recreated", "Started", "Stopped", "Removed", "Restarted", "Pulled"]
        let v1Words = ["Creating", "Recreating", "Starting", "Stopping", "Removing", "Restarting", "Killing"]
        return (result.stderrText + result.stdoutText).split(whereSeparator: \.isNewline).contains { line in
            let text = line.trimmingSpacesAndTabs()
            return words.contains { text.hasSuffix($0) || text.contains(" \($0)") }
                || v1Words.contains { text.hasPrefix("\($0) ") && text.hasSuffix(" done") }
        }
    }
}

extension DockerComposeModule: Module {
    public static let names = ModuleNames.collection("community.docker", "docker_compose_v2")
    public static let arguments = ArgumentSpec([
        .string("project_src"), .list("files"), .string("project_name"),
        .string("state", choices: ["present", "absent", "stopped", "restarted"]), .string("pull", choices: ["always", "missing", "never", "policy"]),
        .bool("remove_orphans"), .string("recreate", choices: ["always", "never", "auto"]), .list("services"), .bool("wait"), .int("wait_timeout"),
        .list("env_files"), .string("build", choices: ["always", "never", "policy"]), .bool("dependencies", default: true), .dict("definition"),
        .list("profiles"), .string("remove_images", choices: ["all", "local"]), .bool("remove_volumes"), .int("timeout"),
    ])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        try plan(arguments, environment: context.environment)
    }
}
