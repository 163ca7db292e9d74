#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// `slurp`: the file's content, base64-encoded (as Ansible returns it).
public enum SlurpModule: Module {
    public static let names = ModuleNames.builtin("slurp")
    public static let arguments = ArgumentSpec([.string("src", required: true, aliases: ["path"])])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
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

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan { try plan(arguments) }
}
