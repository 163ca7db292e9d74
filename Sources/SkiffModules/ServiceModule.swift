import OrderedCollections
import SkiffCore

/// `service`: on a host booted with systemd (`systemctl` present and `/run/systemd/system` there, as
/// Ansible's `ansible_service_mgr` decides) it does what `systemd_service` does; elsewhere it uses
/// `service NAME ACTION` (or `/etc/init.d/NAME ACTION` without `service`), with `NAME status`'s exit
/// status for running, and `update-rc.d` (or `chkconfig`) for `enabled`. As in ansible-core, `restarted`
/// always restarts, `reloaded` reloads a running service and starts a stopped one.
public enum ServiceModule: Module {
    public static let names = ModuleNames.builtin("service")
    public static let arguments = ArgumentSpec([
        .string("name", required: true), .string("state", choices: ["started", "stopped", "reloaded", "restarted"]),
        .int("sleep"), .string("pattern"), .bool("enabled"), .string("runlevel", default: "default"),
        .string("arguments", aliases: ["args"]), .string("use"),
    ], requiredOneOf: [["state", "enabled"]])
    public static let supportsCheckMode = true

    /// Prints which service manager the host has: systemd, service or initd.
    static let managerProbe = """
        if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then echo systemd
        elif command -v service >/dev/null 2>&1; then echo service
        else echo initd; fi
        """

    /// Prints how the service starts at boot: `TOOL enabled|disabled|none`, or `none` without a tool.
    static let bootProbe = """
        if command -v update-rc.d >/dev/null 2>&1; then
          for f in /etc/rc[2-5].d/S??"$1"; do if [ -e "$f" ]; then echo update-rc.d enabled; exit 0; fi; done
          for f in /etc/rc[0-6].d/K??"$1"; do if [ -e "$f" ]; then echo update-rc.d disabled; exit 0; fi; done
          echo update-rc.d none
        elif command -v chkconfig >/dev/null 2>&1; then
          if chkconfig "$1" >/dev/null 2>&1; then echo chkconfig enabled; else echo chkconfig disabled; fi
        else echo none; fi
        """

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let name = try arguments.required("name")
        let systemd = try SystemdModule.Request(ModuleArguments(
            arguments.values.filter { ["name", "state", "enabled"].contains($0.key) }, module: arguments.module,
            checkMode: arguments.checkMode))
        return ModulePlan(.run(RemoteStep(.argv(["sh", "-c", managerProbe]))) { manager in
            switch manager.stdoutText.trimmingTrailingNewlines {
            case "systemd": return SystemdModule.program(systemd)
            case "service": return initProgram(name, systemd, control: { ["service", name, $0] })
            default: return initProgram(name, systemd, control: { ["/etc/init.d/\(name)", $0] })
            }
        })
    }

    /// Without systemd: boot links first, then the running state.
    static func initProgram(_ name: String, _ request: SystemdModule.Request, control: @escaping @Sendable (String) -> [String]) -> ModuleProgram {
        let state: @Sendable (OrderedDictionary<String, Value>, Bool) -> ModuleProgram = { fields, changed in
            stateProgram(name, request, fields: fields, changedBefore: changed, control: control)
        }
        guard let enabled = request.enabled else { return state(["name": .string(name)], false) }
        let fields: OrderedDictionary<String, Value> = ["name": .string(name), "enabled": .bool(enabled)]
        return .run(RemoteStep(.argv(["sh", "-c", bootProbe, "sh", name]))) { probe in
            let words = probe.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            guard words.count == 2 else {
                return .finish(ModuleOutcome(failed: true, message: "Cannot enable \(name): the host has neither update-rc.d nor chkconfig", result: fields))
            }
            guard (words[1] == "enabled") != enabled else { return state(fields, false) }
            let argv: [String]
            switch (words[0], enabled) {
            case ("update-rc.d", true): argv = ["update-rc.d", name, words[1] == "none" ? "defaults" : "enable"]
            case ("update-rc.d", false): argv = ["update-rc.d", name, "disable"]
            default: argv = ["chkconfig", name, enabled ? "on" : "off"]
            }
            if request.checkMode { return state(fields, true) }
            return SystemdModule.run(
                [SystemdModule.Action(argv: argv) { "Unable to \(enabled ? "enable" : "disable") service \(name): \($0.stdoutText)\($0.stderrText)" }],
                fields: fields, changed: true) { state(fields, true) }
        }
    }

    static func stateProgram(
        _ name: String, _ request: SystemdModule.Request, fields: OrderedDictionary<String, Value>, changedBefore: Bool,
        control: @escaping @Sendable (String) -> [String]
    ) -> ModuleProgram {
        guard let state = request.state else { return .finish(ModuleOutcome(changed: changedBefore, result: fields)) }
        var withState = fields
        withState["state"] = .string(state == "stopped" ? "stopped" : "started")
        let fields = withState
        return .run(RemoteStep(.argv(control("status")))) { status in
            let running = status.succeeded
            let verb: String?
            switch state {
            case "started": verb = running ? nil : "start"
            case "stopped": verb = running ? "stop" : nil
            case "reloaded": verb = running ? "reload" : "start"
            default: verb = "restart"
            }
            guard let verb else { return .finish(ModuleOutcome(changed: changedBefore, result: fields)) }
            if request.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
            return SystemdModule.run(
                [SystemdModule.Action(argv: control(verb)) { result in
                    let said = result.stderrText.trimmingTrailingNewlines
                    return said.isEmpty ? result.stdoutText.trimmingTrailingNewlines : said
                }],
                fields: fields, changed: true) { .finish(ModuleOutcome(changed: true, result: fields)) }
        }
    }
}
