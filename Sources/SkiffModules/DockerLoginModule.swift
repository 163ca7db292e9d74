import OrderedCollections
import SkiffCore

/// `community.docker.docker_login`: `docker login REGISTRY -u USER --password-stdin`, the password
/// written to the command's stdin (a command line shows in `ps` on the host); `state: absent` logs out.
/// `config_path` sets `DOCKER_CONFIG` (the directory of the given config file).
public enum DockerLoginModule {
    public static let defaultRegistry = "https://index.docker.io/v1/"
    static let loggedIn = "skiff: was logged in"

    public static func plan(_ arguments: ModuleArguments, environment: OrderedDictionary<String, String>) throws -> ModulePlan {
        let registry = arguments.string("registry_url", aliases: ["registry", "url"]) ?? defaultRegistry
        var environment = environment
        if let config = arguments.string("config_path", aliases: ["dockercfg_path"]) {
            environment["DOCKER_CONFIG"] = config.hasSuffix(".json") ? String(config[..<(config.lastIndex(of: "/") ?? config.startIndex)]) : config
        }
        let fields: OrderedDictionary<String, Value> = ["registry_url": .string(registry)]
        if arguments.string("state") == "absent" {
            // `docker logout` says "Removing login credentials" also when there were none: whether there were
            // is asked of the config file first (its `auths` names each registry logged in to), read with
            // shell builtins.
            let step = RemoteStep(.shell(
                "while IFS= read -r line || [ -n \"$line\" ]; do case \"$line\" in *\(ShellQuote.quote("\"\(registry)\""))*) echo \(loggedIn); break ;; esac; line=; done"
                    + " 2>/dev/null <\"${DOCKER_CONFIG:-$HOME/.docker}/config.json\"; "
                    + ShellQuote.join(["docker", "logout", registry])), environment: environment)
            return ModulePlan(.run(step) { result in
                .finish(ModuleOutcome(
                    changed: result.succeeded && result.stdoutText.contains(loggedIn),
                    failed: !result.succeeded, message: result.succeeded ? nil : result.stderrText.trimmingTrailingNewlines,
                    result: fields))
            })
        }
        let username = try arguments.required("username")
        let password = try arguments.required("password")
        let step = RemoteStep(
            .argv(["docker", "login", registry, "--username", username, "--password-stdin"]), environment: environment,
            stdin: Sensitive(Array(password.utf8)))
        return ModulePlan(.run(step) { result in
            .finish(ModuleOutcome(
                changed: result.succeeded, failed: !result.succeeded,
                message: result.succeeded ? nil : "docker login failed: \(result.stderrText.trimmingTrailingNewlines)",
                result: fields.merging(["login_result": .dict(["username": .string(username)])]) { $1 }))
        })
    }
}

extension DockerLoginModule: Module {
    public static let names = ModuleNames.collection("community.docker", "docker_login")
    public static let arguments = ArgumentSpec([
        .string("registry_url", aliases: ["registry", "url"]), .string("username"), .string("password"),
        .bool("reauthorize", aliases: ["reauth"]), .string("state", choices: ["present", "absent"]),
        .string("config_path", aliases: ["dockercfg_path"]), .string("email"),
    ])

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        try plan(arguments, environment: context.environment)
    }
}
