import OrderedCollections
import SkiffCore

/// `community.docker.docker_container`: a container with the docker CLI, made to match what is asked only
/// where `docker container inspect` shows it differs. `state` started (the default), present (created, not
/// started), stopped, absent. A container whose image (its id, after `pull`), `env`, `published_ports`,
/// `volumes`, `command`, `entrypoint`, `restart_policy`, `labels`, `user`, `working_dir`, `hostname`,
/// `network_mode` or `networks` differ, or with `recreate`, is removed and created again; otherwise it is
/// only started, stopped or (`restart`) restarted. `env` reaches docker on stdin (`--env-file /dev/stdin`),
/// never on a command line. An image missing on the host is pulled; `pull: true`/`always` pulls it every
/// time. Under `--check` nothing is pulled, created or removed. Returns `container` (the inspect result).
public enum DockerContainerModule: Module {
    public static let names = ModuleNames.collection("community.docker", "docker_container")
    public static let arguments = ArgumentSpec([
        .string("name", required: true), .string("image"),
        .string("state", choices: ["absent", "present", "stopped", "started"], default: "started"),
        .string("restart_policy", choices: ["no", "on-failure", "always", "unless-stopped"]), .int("restart_retries"),
        .list("published_ports", aliases: ["ports"]), .dict("env"), .list("volumes"), .raw("command"), .list("entrypoint"),
        ArgumentSpec.Argument("pull", .raw, choices: ["always", "missing", "never", "true", "false", "yes", "no"]),
        .bool("recreate"), .bool("restart"), .dict("labels"), .string("user"), .string("working_dir"), .string("hostname"),
        .bool("init"), .string("network_mode"), .raw("networks"), .bool("keep_volumes", default: true), .bool("detach", default: true),
        .bool("cleanup"), .bool("force_kill", aliases: ["forcekill"]), .int("stop_timeout"),
    ])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let name = try arguments.required("name")
        let state = arguments.string("state") ?? "started"
        if state == "absent" {
            return ModulePlan(inspect(["container", "inspect", name]) { current in
                guard current != nil else { return .finish(ModuleOutcome()) }
                return steps([["docker", "rm", "--force"] + (arguments.bool("keep_volumes", default: true) ? [] : ["--volumes"]) + [name]], arguments) {
                    .finish(ModuleOutcome(changed: true, result: ["container": .dict([:])]))
                }
            })
        }
        let wanted = try Wanted(arguments)
        let pull = try pullPolicy(arguments)
        return ModulePlan(image(wanted.image, pull: pull, arguments) { image in
            inspect(["container", "inspect", name]) { current in
                decide(name, state, wanted, image: image, current: current, arguments)
            }
        })
    }

    /// What the container must look like, from the task.
    struct Wanted: Sendable {
        var image: String?
        var env: [(key: String, value: String)]
        var ports: [String]
        var binds: [String]
        var anonymousVolumes: [String]
        var command: [String]?
        var entrypoint: [String]?
        var restartPolicy: String?
        var restartRetries: Int?
        var labels: OrderedDictionary<String, String>
        var networks: [String]
        var runsInit: Bool
        /// `(section, key, value)`: `Config.User` and the like, compared as text.
        var fields: [(section: String, key: String, value: String)]

        init(_ arguments: ModuleArguments) throws {
            image = arguments.string("image")
            env = (arguments.values["env"]?.dictValue ?? [:]).map { ($0.key, $0.value.text) }
            for (key, value) in env where key.isEmpty || key.contains("=") || key.contains("\n") || value.contains("\n") {
                throw ModuleError("docker_container: env '\(key)': names cannot be empty or hold '=', and values cannot hold a line break")
            }
            ports = try arguments.list("published_ports", aliases: ["ports"]).map(DockerContainerModule.portBinding).map { "\($0.port) \($0.hostIP) \($0.hostPort)" }.sorted()
            let volumes = arguments.list("volumes")
            binds = volumes.filter { $0.contains(":") }.sorted()
            anonymousVolumes = volumes.filter { !$0.contains(":") }
            switch arguments.values["command"] {
            case .list(let items)?: command = items.map(\.text)
            case .string(let text)?: command = try ShellWords.split(text)
            case nil, .null?: command = nil
            case let other?: command = [other.text]
            }
            entrypoint = arguments.values["entrypoint"] == nil ? nil : arguments.list("entrypoint")
            restartPolicy = arguments.string("restart_policy")
            restartRetries = arguments.int("restart_retries")
            labels = (arguments.values["labels"]?.dictValue ?? [:]).mapValues(\.text)
            switch arguments.values["networks"] {
            case .list(let items)?: networks = items.compactMap { $0.dictValue?["name"]?.stringValue ?? $0.stringValue }
            case nil, .null?: networks = []
            default: throw ModuleError("docker_container: networks must be a list of {name: NETWORK}")
            }
            runsInit = arguments.bool("init")
            fields = []
            let config: [(String, String, String)] = [("user", "Config", "User"), ("working_dir", "Config", "WorkingDir"),
                                                      ("hostname", "Config", "Hostname"), ("network_mode", "HostConfig", "NetworkMode")]
            for (option, section, key) in config {
                if let value = arguments.string(option) { fields.append((section, key, value)) }
            }
        }
    }

    /// `[IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` as docker's port bindings name it (`80/tcp`, IP, host port).
    static func portBinding(_ text: String) throws -> (port: String, hostIP: String, hostPort: String) {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let last = parts.popLast(), !last.isEmpty, parts.count <= 2 else {
            throw ModuleError("docker_container: '\(text)' is no published port ([IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])")
        }
        let port = last.contains("/") ? last : "\(last)/tcp"
        let hostPort = parts.popLast() ?? ""
        return (port, parts.popLast() ?? "", hostPort)
    }

    static func pullPolicy(_ arguments: ModuleArguments) throws -> String {
        switch arguments.values["pull"] {
        case nil, .null?: return "missing"
        case .bool(let flag)?: return flag ? "always" : "missing"
        case let value?:
            switch value.text.lowercased() {
            case "always", "true", "yes": return "always"
            case "missing", "false", "no": return "missing"
            case "never": return "never"
            default: throw ModuleError("docker_container: pull must be always, missing or never, not '\(value.text)'")
            }
        }
    }

    /// The local image (`docker image inspect`), pulled first when asked or missing (not under `--check`).
    static func image(_ reference: String?, pull: String, _ arguments: ModuleArguments,
                      _ next: @escaping @Sendable (OrderedDictionary<String, Value>?) -> ModuleProgram) -> ModuleProgram {
        guard let reference else { return next(nil) }
        let pullStep = RemoteStep(.argv(["docker", "pull", reference]))
        let pulled: @Sendable (@escaping @Sendable () -> ModuleProgram) -> ModuleProgram = { then in
            .run(pullStep) { result in
                guard result.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: "docker pull \(reference) failed: \(result.stderrText.trimmingTrailingNewlines)"))
                }
                return then()
            }
        }
        let look = inspect(["image", "inspect", reference]) { found in
            if found != nil || pull == "never" || arguments.checkMode { return next(found) }
            return pulled { inspect(["image", "inspect", reference], next) }
        }
        return pull == "always" && !arguments.checkMode ? pulled { look } : look
    }

    /// `docker KIND inspect NAME`: the object, or nil when there is none.
    static func inspect(_ argv: [String], _ next: @escaping @Sendable (OrderedDictionary<String, Value>?) -> ModuleProgram) -> ModuleProgram {
        .run(RemoteStep(.argv(["docker"] + argv))) { result in
            guard result.succeeded else {
                let error = result.stderrText.lowercased()
                if error.contains("no such") || error.contains("not found") { return next(nil) }
                return .finish(ModuleOutcome(failed: true, message: "docker \(argv.prefix(2).joined(separator: " ")) failed: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            guard let object = (try? JSONParser.parse(result.stdout))?.listValue?.first?.dictValue else {
                return .finish(ModuleOutcome(failed: true, message: "docker \(argv.prefix(2).joined(separator: " ")) printed nothing to read"))
            }
            return next(object)
        }
    }

    static func decide(_ name: String, _ state: String, _ wanted: Wanted, image: OrderedDictionary<String, Value>?,
                       current: OrderedDictionary<String, Value>?, _ arguments: ModuleArguments) -> ModuleProgram {
        let running = current?["State"]?.dictValue?["Running"] == .bool(true)
        var actions: [[String]] = []
        if let current, !arguments.bool("recreate"), !differs(current, wanted, image: image) {
            if state == "started" && !running {
                actions.append(["docker", "start", name])
            } else if state == "stopped" && running {
                actions.append(stop(name, arguments))
            } else if state == "started" && arguments.bool("restart") {
                actions.append(["docker", "restart", name])
            }
        } else {
            guard wanted.image != nil else {
                return .finish(ModuleOutcome(failed: true, message: "docker_container: image is needed to create the container \(name)"))
            }
            if current != nil { actions.append(["docker", "rm", "--force", name]) }
            actions.append(creation(name, wanted, arguments))
            for network in wanted.networks.dropFirst() { actions.append(["docker", "network", "connect", network, name]) }
            if state == "started" { actions.append(["docker", "start", name]) }
        }
        if actions.isEmpty { return .finish(ModuleOutcome(result: ["container": .dict(current ?? [:])])) }
        let input = Sensitive(Array(wanted.env.map { "\($0.key)=\($0.value)\n" }.joined().utf8))
        return steps(actions, arguments, envFile: input) {
            inspect(["container", "inspect", name]) { after in .finish(ModuleOutcome(changed: true, result: ["container": .dict(after ?? [:])])) }
        }
    }

    static func stop(_ name: String, _ arguments: ModuleArguments) -> [String] {
        if arguments.bool("force_kill") { return ["docker", "kill", name] }
        return ["docker", "stop"] + (arguments.int("stop_timeout").map { ["--time", String($0)] } ?? []) + [name]
    }

    /// `docker create`, with `--env-file /dev/stdin` for `env` (its values are fed on stdin).
    static func creation(_ name: String, _ wanted: Wanted, _ arguments: ModuleArguments) -> [String] {
        var argv = ["docker", "create", "--name", name]
        if !wanted.env.isEmpty { argv += ["--env-file", "/dev/stdin"] }
        for port in arguments.list("published_ports", aliases: ["ports"]) { argv += ["--publish", port] }
        for volume in arguments.list("volumes") { argv += ["--volume", volume] }
        if let policy = wanted.restartPolicy {
            argv += ["--restart", policy == "on-failure" ? wanted.restartRetries.map { "on-failure:\($0)" } ?? policy : policy]
        }
        for (key, value) in wanted.labels { argv += ["--label", "\(key)=\(value)"] }
        let flags = ["user": "--user", "working_dir": "--workdir", "hostname": "--hostname"]
        for (option, flag) in flags.sorted(by: { $0.key < $1.key }) { if let value = arguments.string(option) { argv += [flag, value] } }
        if let mode = arguments.string("network_mode") { argv += ["--network", mode] } else if let first = wanted.networks.first { argv += ["--network", first] }
        if arguments.bool("init") { argv.append("--init") }
        if let entrypoint = wanted.entrypoint, let first = entrypoint.first { argv += ["--entrypoint", first] }
        argv.append(wanted.image ?? "")
        if let entrypoint = wanted.entrypoint { argv += entrypoint.dropFirst() }
        return argv + (wanted.command ?? [])
    }

    /// Runs the commands in order (none under `--check`), stopping at the first that fails.
    static func steps(_ actions: [[String]], _ arguments: ModuleArguments, envFile: Sensitive<[UInt8]>? = nil,
                      then done: @escaping @Sendable () -> ModuleProgram) -> ModuleProgram {
        if arguments.checkMode { return .finish(ModuleOutcome(changed: true)) }
        guard let first = actions.first else { return done() }
        let stdin = first.contains("/dev/stdin") ? envFile : nil
        return .run(RemoteStep(.argv(first), stdin: stdin)) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "\(first.prefix(2).joined(separator: " ")) failed: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            return steps(Array(actions.dropFirst()), arguments, envFile: envFile, then: done)
        }
    }

    /// Whether the container differs from what is asked (only what the task gives is compared; labels and
    /// anonymous volumes the image adds are allowed, and so are environment variables the image sets).
    static func differs(_ current: OrderedDictionary<String, Value>, _ wanted: Wanted, image: OrderedDictionary<String, Value>?) -> Bool {
        let config = current["Config"]?.dictValue ?? [:]
        let host = current["HostConfig"]?.dictValue ?? [:]
        if wanted.image != nil && (image?["Id"] == nil || current["Image"] != image?["Id"]) { return true }
        let imageEnv = Set((image?["Config"]?.dictValue?["Env"]?.listValue ?? []).compactMap(\.stringValue))
        let asked = Set(wanted.env.map { "\($0.key)=\($0.value)" })
        let have = Set((config["Env"]?.listValue ?? []).compactMap(\.stringValue))
        // Docker gives a container whose image sets no PATH a default one.
        let added = have.subtracting(asked).subtracting(imageEnv).filter { !$0.hasPrefix("PATH=") }
        if !asked.isSubset(of: have) || !added.isEmpty { return true }
        var bound: [String] = []
        for (port, bindings) in host["PortBindings"]?.dictValue ?? [:] {
            for binding in bindings.listValue ?? [] {
                bound.append("\(port) \(binding.dictValue?["HostIp"]?.stringValue ?? "") \(binding.dictValue?["HostPort"]?.stringValue ?? "")")
            }
        }
        if bound.sorted() != wanted.ports { return true }
        if (host["Binds"]?.listValue ?? []).compactMap(\.stringValue).sorted() != wanted.binds { return true }
        let volumes = Set((config["Volumes"]?.dictValue ?? [:]).keys)
        if !Set(wanted.anonymousVolumes).isSubset(of: volumes) { return true }
        // The docker CLI sets one word of entrypoint: the rest of the list goes before the command.
        if let entrypoint = wanted.entrypoint, (config["Entrypoint"]?.listValue ?? []).compactMap(\.stringValue) != Array(entrypoint.prefix(1)) { return true }
        if wanted.command != nil || wanted.entrypoint != nil {
            let command = (wanted.entrypoint ?? []).dropFirst() + (wanted.command ?? [])
            if (config["Cmd"]?.listValue ?? []).compactMap(\.stringValue) != Array(command) { return true }
        }
        if wanted.runsInit && host["Init"] != .bool(true) { return true }
        let restart = host["RestartPolicy"]?.dictValue ?? [:]
        if let policy = wanted.restartPolicy {
            let name = restart["Name"]?.stringValue ?? ""
            if name != policy && !(policy == "no" && name.isEmpty) { return true }
            if policy == "on-failure", let retries = wanted.restartRetries, restart["MaximumRetryCount"]?.intValue != retries { return true }
        }
        let labels = config["Labels"]?.dictValue ?? [:]
        if wanted.labels.contains(where: { labels[$0.key]?.stringValue != $0.value }) { return true }
        if wanted.fields.contains(where: { current[$0.section]?.dictValue?[$0.key]?.stringValue != $0.value }) { return true }
        let networks = Set((current["NetworkSettings"]?.dictValue?["Networks"]?.dictValue ?? [:]).keys)
        return !Set(wanted.networks).isSubset(of: networks)
    }
}
