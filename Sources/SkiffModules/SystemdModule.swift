import OrderedCollections
import SkiffCore

/// `systemd_service` (also `systemd`): `daemon_reload`/`daemon_reexec`, then `masked`, `enabled` and
/// `state` (started, stopped, restarted, reloaded) of a unit, with `systemctl`, as ansible-core does:
/// `systemctl show UNIT` and `systemctl is-enabled UNIT` say what is, and only what differs is done, so a
/// second run is ok. Under `--check` the same questions are asked and nothing is done. Returns `name`,
/// `status` (the properties `systemctl show` lists), `enabled` and `state` when asked.
public enum SystemdModule: Module {
    public static let names = ModuleNames.builtin("systemd_service", also: ["systemd", "ansible.builtin.systemd", "ansible.legacy.systemd"])
    public static let arguments = ArgumentSpec([
        .string("name", aliases: ["service", "unit"]), .string("state", choices: ["reloaded", "restarted", "started", "stopped"]),
        .bool("enabled"), .bool("force"), .bool("masked"), .bool("daemon_reload", aliases: ["daemon-reload"]),
        .bool("daemon_reexec", aliases: ["daemon-reexec"]), .string("scope", choices: ["system", "user", "global"]), .bool("no_block"),
    ], requiredOneOf: [["state", "enabled", "masked", "daemon_reload", "daemon_reexec"]],
       requiredBy: ["state": ["name"], "enabled": ["name"], "masked": ["name"]])
    public static let supportsCheckMode = true

    /// What the task asks of a unit.
    public struct Request: Sendable {
        public var unit: String?
        public var state: String?
        public var enabled: Bool?
        public var masked: Bool?
        public var daemonReload = false
        public var daemonReexec = false
        /// `systemctl` with `--user`/`--global`, `--no-block`, `--force` as asked.
        public var systemctl = ["systemctl"]
        public var checkMode = false

        init(_ arguments: ModuleArguments) throws {
            func flag(_ key: String) -> Bool? { arguments.values[key] == nil ? nil : arguments.bool(key) }
            unit = arguments.string("name")
            state = arguments.string("state")
            enabled = flag("enabled")
            masked = flag("masked")
            daemonReload = arguments.bool("daemon_reload")
            daemonReexec = arguments.bool("daemon_reexec")
            if let scope = arguments.string("scope"), scope != "system" { systemctl.append("--\(scope)") }
            if arguments.bool("no_block") { systemctl.append("--no-block") }
            if arguments.bool("force") { systemctl.append("--force") }
            checkMode = arguments.checkMode
            if let unit, unit.contains(where: { "*?[".contains($0) }) {
                throw ModuleError("This module does not currently support using glob patterns, found in service name: \(unit)")
            }
            if unit == nil, state != nil || enabled != nil || masked != nil {
                throw ModuleError("\(arguments.module): state, enabled and masked need 'name'")
            }
            if let state, !["reloaded", "restarted", "started", "stopped"].contains(state) {
                throw ModuleError("\(arguments.module): state must be started, stopped, restarted or reloaded, not '\(state)'")
            }
        }
    }

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        ModulePlan(program(try Request(arguments)))
    }

    /// A command to run, and the message when it fails.
    struct Action: Sendable {
        let argv: [String]
        let failure: @Sendable (CommandResult) -> String
    }

    static func program(_ request: Request) -> ModuleProgram {
        let ctl = request.systemctl
        let base: OrderedDictionary<String, Value> = ["name": request.unit.map(Value.string) ?? .null, "status": .dict([:])]
        var daemon: [Action] = []
        if !request.checkMode {
            for (wanted, verb) in [(request.daemonReload, "daemon-reload"), (request.daemonReexec, "daemon-reexec")] where wanted {
                daemon.append(Action(argv: ctl + [verb]) { "failure \($0.exitStatus ?? -1) during \(verb): \(said($0))" })
            }
        }
        return run(daemon, fields: base, changed: false) {
            guard let unit = request.unit else { return .finish(ModuleOutcome(result: base)) }
            return .run(RemoteStep(.argv(ctl + ["show", unit]))) { shown in
                let status = shown.succeeded ? parseShow(shown.stdoutText) : [:]
                var fields = base
                fields["status"] = .dict(status.mapValues(Value.string))
                let found = status["LoadState"].map { $0 != "not-found" } ?? false
                if found, status["LoadState"] != "masked", let error = status["LoadError"] {
                    return .finish(ModuleOutcome(failed: true, message: "Error loading unit file '\(unit)': \(error)", result: fields))
                }
                guard request.enabled != nil || request.masked != nil else {
                    return decide(request, unit: unit, status: status, found: found, isEnabled: nil, fields: fields)
                }
                let known = fields
                return .run(RemoteStep(.argv(ctl + ["is-enabled", unit]))) { answer in
                    decide(request, unit: unit, status: status, found: found, isEnabled: answer, fields: known)
                }
            }
        }
    }

    /// From what `show` and `is-enabled` said to what must be done, in ansible-core's order: mask, enable, state.
    static func decide(
        _ request: Request, unit: String, status: OrderedDictionary<String, String>, found: Bool, isEnabled: CommandResult?,
        fields: OrderedDictionary<String, Value>
    ) -> ModuleProgram {
        var fields = fields
        var actions: [Action] = []
        let ctl = request.systemctl
        let enabledText = isEnabled?.stdoutText.trimmingCharacters(in: " \n") ?? ""
        let missing = ModuleOutcome(failed: true, message: "Could not find the requested service \(unit): host", result: fields)
        if let masked = request.masked, (enabledText == "masked") != masked {
            let verb = masked ? "mask" : "unmask"
            actions.append(Action(argv: ctl + [verb, unit]) { "Failed to \(verb) the service (\(unit)): \(said($0))" })
        }
        if let enabled = request.enabled {
            guard found else { return .finish(missing) }
            let now = isEnabled?.exitStatus == 0 && !["enabled-runtime", "indirect", "alias"].contains(enabledText)
            fields["enabled"] = .bool(enabled)
            if now != enabled {
                let verb = enabled ? "enable" : "disable"
                actions.append(Action(argv: ctl + [verb, unit]) { "Unable to \(verb) service \(unit): \($0.stdoutText)\($0.stderrText)" })
            }
        }
        if let state = request.state {
            guard found else { return .finish(missing) }
            guard let active = status["ActiveState"] else {
                return .finish(ModuleOutcome(failed: true, message: "Service is in unknown state", result: fields))
            }
            let running = active == "active" || active == "activating"
            var verb: String?
            switch state {
            case "started": verb = running ? nil : "start"
            case "stopped": verb = running || active == "deactivating" ? "stop" : nil
            default: verb = running ? String(state.dropLast(2)) : "start"
            }
            fields["state"] = .string(state == "stopped" ? "stopped" : "started")
            if let verb {
                actions.append(Action(argv: ctl + [verb, unit]) { "Unable to \(verb) service \(unit): \(said($0))" })
            }
        }
        let outcome = ModuleOutcome(changed: !actions.isEmpty, result: fields)
        if request.checkMode { return .finish(outcome) }
        return run(actions, fields: fields, changed: outcome.changed) { .finish(outcome) }
    }

    /// Runs the actions one after the other; the first that fails ends the task, failed, with its message.
    static func run(
        _ actions: [Action], fields: OrderedDictionary<String, Value>, changed: Bool, then next: @escaping @Sendable () -> ModuleProgram
    ) -> ModuleProgram {
        guard let first = actions.first else { return next() }
        return .run(RemoteStep(.argv(first.argv))) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(changed: changed, failed: true, message: first.failure(result), result: fields))
            }
            return run(Array(actions.dropFirst()), fields: fields, changed: changed, then: next)
        }
    }

    /// `Key=Value` lines of `systemctl show`.
    static func parseShow(_ text: String) -> OrderedDictionary<String, String> {
        var status = OrderedDictionary<String, String>()
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            status[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return status
    }

    static func said(_ result: CommandResult) -> String { result.stderrText.trimmingTrailingNewlines }
}
