import OrderedCollections
import SkiffCore

/// `file`: `state` absent, directory, touch, file, link; `mode`, `owner`, `group`. One POSIX shell
/// script per task, which prints `changed` when it changed something.
public enum FileModule {
    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
        let path = try arguments.required("path", aliases: ["dest", "name"])
        let state = arguments.string("state") ?? (arguments.string("src") != nil ? "link" : "file")
        let q = ShellQuote.quote(path)
        var script: [String]
        switch state {
        case "absent":
            script = ["if [ -e \(q) ] || [ -L \(q) ]; then rm -rf -- \(q) && echo changed; fi"]
        case "directory":
            script = ["if [ ! -d \(q) ]; then mkdir -p -- \(q) && echo changed; fi"]
        case "touch":
            script = ["touch -- \(q) && echo changed"]
        case "file":
            let missing = ShellQuote.quote("file \(path) does not exist")
            script = ["if [ ! -e \(q) ]; then echo \(missing) >&2; exit 1; fi"]
        case "link":
            let source = try arguments.required("src")
            let s = ShellQuote.quote(source)
            script = ["if [ \"$(readlink -- \(q) 2>/dev/null)\" != \(s) ]; then ln -sfn -- \(s) \(q) && echo changed; fi"]
        default:
            throw ModuleError("file: state must be absent, directory, touch, file or link, not '\(state)'")
        }
        if state != "absent" {
            if let mode = try arguments.mode() {
                let m = String(mode, radix: 8)
                script.append("if [ \"$(stat -c %a -- \(q))\" != \(m) ]; then chmod \(m) -- \(q) && echo changed; fi")
            }
            if let owner = arguments.string("owner") {
                script.append("if [ \"$(stat -c %U -- \(q))\" != \(ShellQuote.quote(owner)) ]; then chown \(ShellQuote.quote(owner)) -- \(q) && echo changed; fi")
            }
            if let group = arguments.string("group") {
                script.append("if [ \"$(stat -c %G -- \(q))\" != \(ShellQuote.quote(group)) ]; then chgrp \(ShellQuote.quote(group)) -- \(q) && echo changed; fi")
            }
        }
        let step = RemoteStep(.shell(script.joined(separator: "\n")))
        return ModulePlan(.run(step) { result in
            let changed = result.stdoutText.contains("changed")
            var fields: OrderedDictionary<String, Value> = ["path": .string(path), "state": .string(state)]
            if !result.succeeded { fields["rc"] = .int(Int(result.exitStatus ?? -1)) }
            return .finish(ModuleOutcome(
                changed: changed, failed: !result.succeeded,
                message: result.succeeded ? nil : result.stderrText.trimmingTrailingNewlines, result: fields))
        })
    }
}
