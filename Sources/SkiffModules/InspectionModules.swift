import Foundation
import OrderedCollections
import SkiffCore

/// `stat`, `slurp` and `wait_for`: looking at the host with POSIX tools only.
public enum InspectionModules {
    /// `stat`: exists, isdir, isreg, islnk, mode, size, uid/gid, owner, mtime, and the sha1 checksum
    /// (as Ansible's default) when asked.
    public static func stat(_ arguments: ModuleArguments) throws -> ModulePlan {
        let path = try arguments.required("path")
        let q = ShellQuote.quote(path)
        let checksum = arguments.bool("get_checksum", default: true)
        let script = """
            if [ -e \(q) ] || [ -L \(q) ]; then
              stat -c 'mode=%a size=%s uid=%u gid=%g owner=%U group=%G mtime=%Y type=%F' -- \(q)
              \(checksum ? "if [ -f \(q) ] && [ -r \(q) ]; then echo \"checksum=$(sha1sum < \(q) | cut -d' ' -f1)\"; fi" : ":")
            else echo missing; fi
            """
        return ModulePlan(.run(RemoteStep(.shell(script))) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: result.stderrText.trimmingTrailingNewlines))
            }
            let text = result.stdoutText.trimmingTrailingNewlines
            if text == "missing" { return .finish(ModuleOutcome(result: ["stat": .dict(["exists": .bool(false)])])) }
            var stat: OrderedDictionary<String, Value> = ["exists": .bool(true), "path": .string(path)]
            let typeRange = text.range(of: "type=")
            let type = typeRange.map { String(text[$0.upperBound...].prefix { $0 != "\n" }) } ?? ""
            for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "mode": stat["mode"] = .string(String(repeating: "0", count: max(0, 4 - parts[1].count)) + parts[1])
                case "size", "uid", "gid", "mtime": stat[parts[0]] = .int(Int(parts[1]) ?? 0)
                case "owner": stat["pw_name"] = .string(parts[1])
                case "group": stat["gr_name"] = .string(parts[1])
                case "checksum": stat["checksum"] = .string(parts[1])
                default: break
                }
            }
            stat["isdir"] = .bool(type == "directory")
            stat["isreg"] = .bool(type.hasPrefix("regular"))
            stat["islnk"] = .bool(type == "symbolic link")
            return .finish(ModuleOutcome(result: ["stat": .dict(stat)]))
        })
    }

    /// `slurp`: the file's content, base64-encoded (as Ansible returns it).
    public static func slurp(_ arguments: ModuleArguments) throws -> ModulePlan {
        let path = try arguments.required("src", aliases: ["path"])
        return ModulePlan(.run(RemoteStep(.argv(["base64", "-w", "0", "--", path]))) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "cannot read \(path): \(result.stderrText.trimmingTrailingNewlines)"))
            }
            return .finish(ModuleOutcome(result: [
                "content": .string(result.stdoutText.trimmingTrailingNewlines), "encoding": .string("base64"), "source": .string(path),
            ]))
        })
    }

    /// `wait_for`: a port open (`started`) or closed (`stopped`), a path present or absent, optionally a
    /// regex in the file, polled every `sleep` seconds until `timeout` — with sh, `test`, `grep` and
    /// bash's or nc's TCP check, whichever the host has.
    public static func waitFor(_ arguments: ModuleArguments) throws -> ModulePlan {
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
}
