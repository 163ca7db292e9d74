import OrderedCollections
import SkiffCore

/// `community.docker.docker_compose`, the module community.docker removed (v1) that older playbooks still
/// carry: its arguments, run as `docker_compose_v2` runs them (`docker compose`, else `docker-compose`).
/// `state: present` is `up` (`stopped: true`: stop, `restarted: true`: restart); `build: true` builds the
/// images first; `pull: true` pulls them first; `recreate` always/never/smart; `dependencies`, `services`,
/// `remove_orphans`, `timeout`, `env_file`. `state: absent` is `down`, with `remove_images` and
/// `remove_volumes`. `changed` reflects what compose reports doing; under `--check` what it would do.
public enum DockerComposeV1Module: Module {
    public static let names = ModuleNames.collection("community.docker", "docker_compose", also: ["docker_service"])
    public static let arguments = ArgumentSpec([
        .string("project_src"), .list("files"), .string("project_name"), .string("state", choices: ["present", "absent"], default: "present"),
        .list("services"), .bool("build"), .bool("pull"), .string("recreate", choices: ["always", "never", "smart"], default: "smart"),
        .bool("dependencies", default: true), .bool("remove_orphans"), .string("remove_images", choices: ["all", "local"]),
        .bool("remove_volumes"), .bool("stopped"), .bool("restarted"), .int("timeout"), .string("env_file"),
    ], mutuallyExclusive: [["stopped", "restarted"]])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        try DockerComposeModule.plan(compose(arguments), environment: context.environment)
    }

    /// The same task, in docker_compose_v2's arguments.
    static func compose(_ arguments: ModuleArguments) throws -> ModuleArguments {
        var values: OrderedDictionary<String, Value> = [:]
        for key in ["project_src", "files", "project_name", "services", "remove_orphans", "remove_images", "remove_volumes", "timeout", "dependencies"] {
            if let value = arguments.values[key] { values[key] = value }
        }
        if let file = arguments.string("env_file") { values["env_files"] = .list([.string(file)]) }
        if arguments.string("state") == "absent" {
            values["state"] = .string("absent")
        } else {
            values["state"] = .string(arguments.bool("stopped") ? "stopped" : arguments.bool("restarted") ? "restarted" : "present")
            values["build"] = .string(arguments.bool("build") ? "always" : "policy")
            values["pull"] = .string(arguments.bool("pull") ? "always" : "policy")
            switch arguments.string("recreate") ?? "smart" {
            case "always": values["recreate"] = .string("always")
            case "never": values["recreate"] = .string("never")
            case "smart": values["recreate"] = .string("auto")
            case let other: throw ModuleError("docker_compose: recreate must be always, never or smart, not '\(other)'")
            }
        }
        return ModuleArguments(values, module: arguments.module, checkMode: arguments.checkMode, diff: arguments.diff)
    }
}
