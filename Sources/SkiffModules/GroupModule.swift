import OrderedCollections
import SkiffCore

/// `group`: creates (`groupadd`, with `gid`, `system`), changes the gid of (`groupmod`) or removes
/// (`groupdel`) a group, only when the host's group differs. Under `--check` only the question runs.
/// Returns `name`, `state`, `gid` and `system` for a present group.
public enum GroupModule: Module {
    public static let names = ModuleNames.builtin("group")
    public static let arguments = ArgumentSpec([
        .string("name", required: true), .int("gid"), .string("state", choices: ["present", "absent"], default: "present"),
        .bool("system"), .bool("non_unique"), .bool("force"),
    ])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let name = try arguments.required("name")
        let present = (arguments.string("state") ?? "present") == "present"
        let gid = arguments.int("gid")
        return ModulePlan(.run(RemoteStep(.argv(["getent", "group", name]))) { found in
            // getent: 0 found, 2 not found; anything else is an error.
            guard found.exitStatus == 0 || found.exitStatus == 2 else {
                return .finish(ModuleOutcome(failed: true, message: "cannot read the groups: \(found.stderrText.trimmingTrailingNewlines)"))
            }
            let current = found.exitStatus == 0 ? found.stdoutText.split(separator: ":", omittingEmptySubsequences: false).dropFirst(2).first.map(String.init) : nil
            var fields: OrderedDictionary<String, Value> = ["name": .string(name), "state": .string(present ? "present" : "absent")]
            var argv: [String]?
            if !present {
                if current != nil { argv = ["groupdel"] + (arguments.bool("force") ? ["-f"] : []) + [name] }
            } else if current == nil {
                var words = ["groupadd"]
                if let gid { words += ["-g", String(gid)] + (arguments.bool("non_unique") ? ["-o"] : []) }
                if arguments.bool("system") { words.append("-r") }
                argv = words + [name]
            } else if let gid, String(gid) != current {
                argv = ["groupmod", "-g", String(gid)] + (arguments.bool("non_unique") ? ["-o"] : []) + [name]
            }
            if present {
                fields["system"] = .bool(arguments.bool("system"))
                if let value = gid.map(String.init) ?? current, let number = Int(value) { fields["gid"] = .int(number) }
            }
            guard let argv else { return .finish(ModuleOutcome(result: fields)) }
            if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
            let result = fields
            return .run(RemoteStep(.argv(argv))) { done in
                guard done.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: done.stderrText.trimmingTrailingNewlines, result: result))
                }
                guard present, gid == nil else { return .finish(ModuleOutcome(changed: true, result: result)) }
                return .run(RemoteStep(.argv(["getent", "group", name]))) { after in
                    var fields = result
                    if let number = after.stdoutText.split(separator: ":", omittingEmptySubsequences: false).dropFirst(2).first.flatMap({ Int($0) }) {
                        fields["gid"] = .int(number)
                    }
                    return .finish(ModuleOutcome(changed: true, result: fields))
                }
            }
        })
    }
}
