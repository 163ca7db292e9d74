#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// `stat`: exists, isdir, isreg, islnk, mode, size, uid/gid, owner, mtime, and the sha1 checksum
/// (as Ansible's default) when asked.
public enum StatModule: Module {
    public static let names = ModuleNames.builtin("stat")
    public static let arguments = ArgumentSpec([.string("path", required: true, aliases: ["dest", "name"]), .bool("get_checksum"), .bool("follow")])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
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
            let typeRange = text.firstRange(of: "type=")
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

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan { try plan(arguments) }
}
