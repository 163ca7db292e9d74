import OrderedCollections
import SkiffCore

/// `file`: `state` absent, directory, touch, file, link; `mode`, `owner`, `group`. One POSIX shell
/// script per task, which prints `changed` when it changed something. Under `--check` the same tests
/// run and every action is replaced by saying it would happen.
public enum FileModule {
    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
        let path = try arguments.required("path", aliases: ["dest", "name"])
        let state = arguments.string("state") ?? (arguments.string("src") != nil ? "link" : "file")
        let q = ShellQuote.quote(path)
        func act(_ command: String) -> String { Self.act(command, arguments) }
        var script: [String]
        switch state {
        case "absent":
            script = ["if [ -e \(q) ] || [ -L \(q) ]; then \(act("rm -rf -- \(q)")); fi"]
        case "directory":
            script = ["if [ ! -d \(q) ]; then \(act("mkdir -p -- \(q)")); fi"]
        case "touch":
            script = [act("touch -- \(q)")]
        case "file":
            let missing = ShellQuote.quote("file \(path) does not exist")
            script = ["if [ ! -e \(q) ]; then echo \(missing) >&2; exit 1; fi"]
        case "link":
            let s = ShellQuote.quote(try arguments.required("src"))
            script = ["if [ \"$(readlink -- \(q) 2>/dev/null)\" != \(s) ]; then \(act("ln -sfn -- \(s) \(q)")); fi"]
        default:
            throw ModuleError("file: state must be absent, directory, touch, file or link, not '\(state)'")
        }
        if state != "absent" {
            // Under --check a path that does not exist yet has no mode or owner to compare.
            let exists = arguments.checkMode ? "[ -e \(q) ] && " : ""
            if let mode = try arguments.mode() {
                let m = String(mode, radix: 8)
                script.append("if \(exists)[ \"$(stat -c %a -- \(q))\" != \(m) ]; then \(act("chmod \(m) -- \(q)")); fi")
            }
            script += ownershipChecks(arguments, quotedPath: q)
        }
        // Under --diff: the path's type, mode and ownership before and after, around the script.
        let showDiff = arguments.diff && !arguments.checkMode
        if showDiff {
            let describe = "stat --printf 'type: %F\\nmode: %a\\nowner: %U\\ngroup: %G\\n' -- \(q) 2>/dev/null || echo 'state: absent'"
            script = ["echo \(diffMarker)", describe, "(", script.joined(separator: "\n"), ")", "rc=$?", "echo \(diffMarker)", describe, "exit $rc"]
        }
        let step = RemoteStep(.shell(script.joined(separator: "\n")))
        return ModulePlan(.run(step) { result in
            var output = result.stdoutText
            var diff: String?
            if showDiff {
                let parts = output.split(separator: "\(diffMarker)\n", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 3 {
                    // The "before" part holds the description, then the script's own "changed" lines.
                    let lines = parts[1].split(separator: "\n")
                    let before = lines.filter { $0 != "changed" }.map { $0 + "\n" }.joined()
                    diff = UnifiedDiff.render(before: before, after: parts[2], path: path)
                    output = lines.contains("changed") ? "changed" : ""
                }
            }
            let changed = output.contains("changed")
            if !changed { diff = nil }
            var fields: OrderedDictionary<String, Value> = ["path": .string(path), "state": .string(state)]
            if !result.succeeded { fields["rc"] = .int(Int(result.exitStatus ?? -1)) }
            return .finish(ModuleOutcome(
                changed: changed, failed: !result.succeeded,
                message: result.succeeded ? nil : result.stderrText.trimmingTrailingNewlines, result: fields, diff: diff))
        })
    }

    static let diffMarker = "__skiff_state__"

    /// `COMMAND && echo changed`, or only `echo changed` under --check.
    static func act(_ command: String, _ arguments: ModuleArguments) -> String {
        arguments.checkMode ? "echo changed" : "\(command) && echo changed"
    }

    /// `owner` and `group`: changed when they differ (under --check: said, not done; a path that does
    /// not exist yet has nothing to compare).
    static func ownershipChecks(_ arguments: ModuleArguments, quotedPath q: String) -> [String] {
        let exists = arguments.checkMode ? "[ -e \(q) ] && " : ""
        var script: [String] = []
        if let owner = arguments.string("owner") {
            let o = ShellQuote.quote(owner)
            script.append("if \(exists)[ \"$(stat -c %U -- \(q))\" != \(o) ]; then \(act("chown \(o) -- \(q)", arguments)); fi")
        }
        if let group = arguments.string("group") {
            let g = ShellQuote.quote(group)
            script.append("if \(exists)[ \"$(stat -c %G -- \(q))\" != \(g) ]; then \(act("chgrp \(g) -- \(q)", arguments)); fi")
        }
        return script
    }
}

extension FileModule: Module {
    public static let names = ModuleNames.builtin("file")
    public static let arguments = ArgumentSpec([
        .string("path", required: true, aliases: ["dest", "name"]),
        .string("state", choices: ["absent", "directory", "touch", "file", "link"]), .raw("mode"), .string("owner"),
        .string("group"), .string("src"), .bool("recurse"), .bool("force"),
    ])
    public static let supportsCheckMode = true
    public static let supportsDiff = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan { try plan(arguments) }
}
