import OrderedCollections
import SkiffCore

/// `community.docker.docker_network`: creates (`docker network create`) or removes (`docker network rm`)
/// a network, only when `docker network inspect` shows it differs from what is asked. A present network
/// whose `driver`, `internal`, `attachable`, `enable_ipv6`, `driver_options` or `labels` differ is removed
/// and created again, as community.docker does. `connected` containers are connected; without `appends`,
/// other containers are disconnected. Under `--check` only the questions run. Returns `network` (the
/// inspect result, for a present network).
public enum DockerNetworkModule: Module {
    public static let names = ModuleNames.collection("community.docker", "docker_network")
    public static let arguments = ArgumentSpec([
        .string("name", required: true, aliases: ["network_name"]),
        .string("state", choices: ["present", "absent"], default: "present"),
        .string("driver", default: "bridge"), .dict("driver_options"), .dict("labels"),
        .bool("internal"), .bool("attachable"), .bool("enable_ipv6"),
        .list("connected", aliases: ["containers"]), .bool("appends", aliases: ["incremental"]),
        .bool("force"),
    ])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let name = try arguments.required("name")
        let present = arguments.string("state") != "absent"
        return ModulePlan(inspect(name) { current in
            guard present else {
                guard let current else { return .finish(ModuleOutcome()) }
                return change(removal(name, current, force: arguments.bool("force")), arguments) { .finish(ModuleOutcome(changed: true)) }
            }
            var steps: [[String]] = []
            let attached = Set((current?["Containers"]?.dictValue ?? [:]).values.compactMap { $0.dictValue?["Name"]?.stringValue })
            var connected: Set<String> = attached
            if let current, arguments.bool("force") || differs(current, arguments) {
                steps += removal(name, current, force: true)
                connected = []
            }
            if current == nil || !steps.isEmpty { steps.append(creation(name, arguments)) }
            for container in arguments.list("connected") where !connected.contains(container) {
                steps.append(["docker", "network", "connect", name, container])
            }
            if !arguments.bool("appends"), arguments.values["connected"] != nil {
                for container in connected.subtracting(arguments.list("connected")).sorted() {
                    steps.append(["docker", "network", "disconnect", name, container])
                }
            }
            if steps.isEmpty { return .finish(ModuleOutcome(result: ["network": .dict(current ?? [:])])) }
            return change(steps, arguments) {
                inspect(name) { after in .finish(ModuleOutcome(changed: true, result: ["network": .dict(after ?? [:])])) }
            }
        })
    }

    /// `docker network inspect NAME`: the network, or nil when there is none.
    static func inspect(_ name: String, _ next: @escaping @Sendable (OrderedDictionary<String, Value>?) -> ModuleProgram) -> ModuleProgram {
        .run(RemoteStep(.argv(["docker", "network", "inspect", name]))) { result in
            guard result.succeeded else {
                if result.stderrText.lowercased().contains("no such network") || result.stderrText.contains("not found") { return next(nil) }
                return .finish(ModuleOutcome(failed: true, message: "docker network inspect failed: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            guard let network = (try? JSONParser.parse(result.stdout))?.listValue?.first?.dictValue else {
                return .finish(ModuleOutcome(failed: true, message: "docker network inspect printed no network"))
            }
            return next(network)
        }
    }

    /// Runs the steps in order (none under `--check`), stopping at the first that fails.
    static func change(_ steps: [[String]], _ arguments: ModuleArguments, then done: @escaping @Sendable () -> ModuleProgram) -> ModuleProgram {
        guard !arguments.checkMode, let first = steps.first else { return arguments.checkMode ? .finish(ModuleOutcome(changed: true)) : done() }
        return .run(RemoteStep(.argv(first))) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "\(first.prefix(3).joined(separator: " ")) failed: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            return change(Array(steps.dropFirst()), arguments, then: done)
        }
    }

    /// `docker network rm`; a network with containers attached cannot be removed: `force` disconnects them first.
    static func removal(_ name: String, _ current: OrderedDictionary<String, Value>, force: Bool) -> [[String]] {
        let attached = force ? (current["Containers"]?.dictValue ?? [:]).values.compactMap { $0.dictValue?["Name"]?.stringValue }.sorted() : []
        return attached.map { ["docker", "network", "disconnect", "--force", name, $0] } + [["docker", "network", "rm", name]]
    }

    static func creation(_ name: String, _ arguments: ModuleArguments) -> [String] {
        var argv = ["docker", "network", "create", "--driver", arguments.string("driver") ?? "bridge"]
        if arguments.bool("internal") { argv.append("--internal") }
        if arguments.bool("attachable") { argv.append("--attachable") }
        if arguments.bool("enable_ipv6") { argv.append("--ipv6") }
        for (key, value) in arguments.values["driver_options"]?.dictValue ?? [:] { argv += ["--opt", "\(key)=\(value.text)"] }
        for (key, value) in arguments.values["labels"]?.dictValue ?? [:] { argv += ["--label", "\(key)=\(value.text)"] }
        return argv + [name]
    }

    /// Whether the network's settings differ from the asked ones (labels and options: those asked must match).
    static func differs(_ current: OrderedDictionary<String, Value>, _ arguments: ModuleArguments) -> Bool {
        if current["Driver"]?.stringValue != (arguments.string("driver") ?? "bridge") { return true }
        let flags = ["Internal": "internal", "Attachable": "attachable", "EnableIPv6": "enable_ipv6"]
        for (field, argument) in flags where arguments.values[argument] != nil {
            if (current[field] ?? .bool(false)) != .bool(arguments.bool(argument)) { return true }
        }
        for (field, argument) in ["Options": "driver_options", "Labels": "labels"] {
            let have = current[field]?.dictValue ?? [:]
            for (key, value) in arguments.values[argument]?.dictValue ?? [:] where have[key]?.stringValue != value.text { return true }
        }
        return false
    }
}
