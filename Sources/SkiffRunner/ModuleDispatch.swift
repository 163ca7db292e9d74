#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffPlaybook
import SkiffTemplate

/// From a task to its module's plan: finds the module in `ModuleRegistry`, gives it the task's
/// arguments (aliases resolved, defaults added), its environment and the controller's files.
enum ModuleDispatch {
    /// The task's `environment` over the play's, as in Ansible (the task's value wins for a name both set).
    static func environment(_ task: Task, play: Play, context: TemplateContext) throws -> OrderedDictionary<String, String> {
        var result = OrderedDictionary<String, String>()
        for (value, location) in [(play.keywords["environment"], play.location), (task.keywords["environment"], task.location)] {
            guard let value else { continue }
            guard case .dict(let dict) = try ValueRendering.render(value, context, at: location) else {
                throw ModuleError("environment must be a mapping of names to values")
            }
            for (key, item) in dict {
                guard EnvironmentExports.isName(key) else { throw ModuleError("environment: '\(key)' is not a valid variable name") }
                result[key] = item.text
            }
        }
        return result
    }

    static func plan(
        _ task: Task, module: any Module.Type, arguments: OrderedDictionary<String, Value>, environment: OrderedDictionary<String, String>,
        context: TemplateContext, checkMode: Bool = false, diff: Bool = false
    ) throws -> ModulePlan {
        let args = ModuleArguments(module.arguments.normalized(arguments), module: module.names.short, checkMode: checkMode, diff: diff)
        return try module.plan(args, ModuleContext(environment: environment, files: TaskFiles(task: task, context: context)))
    }

    /// A controller-side file: absolute, or in the role's `files/`/`templates/`, or beside the playbook.
    static func locate(_ name: String, kind: String, task: Task, context: TemplateContext) throws -> String {
        if name.hasPrefix("/") {
            guard FileManager.default.fileExists(atPath: name) else { throw ModuleError("\(name) does not exist on the controller") }
            return name
        }
        let candidates = places(name, kind: kind, task: task, searchPaths: context.searchPaths)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ModuleError("could not find '\(name)' (looked in \(candidates.joined(separator: ", ")))")
        }
        return found
    }

    /// Where a controller-side file named `name` may be, in the order a task looks: itself when absolute,
    /// else the role's `KIND/` and the role, the task file's directory's `KIND/` and the directory, then each
    /// search path's (the role's and the playbook's directory).
    static func places(_ name: String, kind: String, task: Task, searchPaths: [String]) -> [String] {
        if name.hasPrefix("/") { return [name] }
        var candidates: [String] = []
        if let role = task.role { candidates += ["\(role.path)/\(kind)/\(name)", "\(role.path)/\(name)"] }
        let taskDirectory = PathText.parent(task.location.file)
        candidates += ["\(taskDirectory)/\(kind)/\(name)", "\(taskDirectory)/\(name)"]
        for base in searchPaths { candidates += ["\(base)/\(kind)/\(name)", "\(base)/\(name)"] }
        return candidates
    }

    /// A local file's text for `--diff`, when it is small and not binary.
    static func diffableText(of path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20, !data.contains(0) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func sha256(ofFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModuleError("cannot read \(path)") }
        return CopyModule.sha256Hex(data)
    }
}
