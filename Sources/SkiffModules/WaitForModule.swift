#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// `wait_for`: a port open (`started`) or closed (`stopped`), a path present or absent, optionally a
/// regex in the file, polled every `sleep` seconds until `timeout` — with sh, `test`, `grep` and
/// bash's or nc's TCP check, whichever the host has.
public enum WaitForModule: Module {
    public static let names = ModuleNames.builtin("wait_for")
    public static let arguments = ArgumentSpec([
        .string("host"), .int("port"), .string("path"), .string("state", choices: ["started", "stopped", "present", "absent", "drained"]),
        .int("timeout"), .int("delay"), .int("sleep"), .string("search_regex"), .string("msg"), .int("connect_timeout"),
    ])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
        let timeout = arguments.int("timeout") ?? 300
        let delay = arguments.int("delay") ?? 0
        let sleep = max(1, arguments.int("sleep") ?? 1)
        let state = arguments.string("state") ?? "started"
        let probe: String
        let description: String
        if let port = arguments.int("port") {
            let host = ShellQuote.quote(arguments.string("host") ?? "127.0.0.1")
            let open = "{ if command -v nc >/dev/null 2>&1; then nc -z -w 1 \(host) \(port); else timeout 1 bash -c \"exec 3<>/dev/tcp/\"\(host)\"/\(port)\"; fi; } >/dev/null 2>&1"
            switch state {
            case "started", "present": probe = open
            case "stopped", "absent", "drained": probe = "! \(open)"
            default: throw ModuleError("wait_for: state must be started or stopped for a port, not '\(state)'")
            }
            description = "port \(port) \(state == "started" || state == "present" ? "open" : "closed")"
        } else if let path = arguments.string("path") {
            let q = ShellQuote.quote(path)
            switch state {
            case "present", "started":
                if let regex = arguments.string("search_regex") {
                    probe = "grep -Eq -- \(ShellQuote.quote(regex)) \(q) 2>/dev/null"
                } else {
                    probe = "[ -e \(q) ]"
                }
            case "absent": probe = "[ ! -e \(q) ]"
            default: throw ModuleError("wait_for: state must be present or absent for a path, not '\(state)'")
            }
            description = "\(path) \(state == "absent" ? "absent" : "present")"
        } else {
            probe = "true"
            description = "\(timeout) seconds"
        }
        let script = arguments.int("port") == nil && arguments.string("path") == nil
            ? "sleep \(timeout)"
            : """
            sleep \(delay); end=$(( $(date +%s) + \(timeout) ))
            while :; do
              if \(probe); then exit 0; fi
              [ "$(date +%s)" -ge "$end" ] && exit 3
              sleep \(sleep)
            done
            """
        return ModulePlan(.run(RemoteStep(.shell(script))) { result in
            let failed = !result.succeeded
            let message = failed ? (arguments.string("msg") ?? "Timeout when waiting for \(description)") : nil
            return .finish(ModuleOutcome(failed: failed, message: message, result: ["elapsed": .int(Int(result.duration.components.seconds))]))
        })
    }

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan { try plan(arguments) }
}
