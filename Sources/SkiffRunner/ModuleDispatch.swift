import Foundation
import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffPlaybook
import SkiffTemplate

/// From a task to its module's plan: resolves local files (in the role's `files/`/`templates/` first,
/// then beside the playbook), renders `template` sources, and passes the task's environment.
enum ModuleDispatch {
    /// Modules that find out what they would change, changing nothing, under `--check`.
    static func supportsCheckMode(_ module: String) -> Bool {
        ["ansible.builtin.copy", "ansible.builtin.template", "ansible.builtin.file", "ansible.builtin.stat",
         "ansible.builtin.slurp", "ansible.builtin.wait_for", "ansible.builtin.lineinfile", "ansible.builtin.get_url"].contains(module)
    }

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
        _ task: Task, arguments: OrderedDictionary<String, Value>, environment: OrderedDictionary<String, String>,
        context: TemplateContext, checkMode: Bool = false, diff: Bool = false
    ) throws -> ModulePlan {
        let args = ModuleArguments(arguments, module: String(task.module.split(separator: ".").last ?? ""), checkMode: checkMode, diff: diff)
        switch task.module {
        case "ansible.builtin.command": return try CommandModule.plan(.command, args, environment: environment)
        case "ansible.builtin.shell": return try CommandModule.plan(.shell, args, environment: environment)
        case "ansible.builtin.raw": return try CommandModule.plan(.raw, args, environment: environment)
        case "ansible.builtin.file": return try FileModule.plan(args)
        case "ansible.builtin.copy":
            if args.values["content"] != nil { return try CopyModule.plan(args, local: nil) }
            let source = try locate(try args.required("src"), kind: "files", task: task, context: context)
            return try CopyModule.plan(args, local: CopyModule.LocalFile(
                path: source, sha256: try sha256(ofFile: source), text: diff ? diffableText(of: source) : nil))
        case "ansible.builtin.template":
            let source = try locate(try args.required("src"), kind: "templates", task: task, context: context)
            guard let data = FileManager.default.contents(atPath: source) else { throw ModuleError("template: cannot read \(source)") }
            let rendered = try TemplateFile.render(String(decoding: data, as: UTF8.self), file: source, context: context,
                                                   managed: AnsibleConfig.load()[defaults: "ansible_managed"] ?? "Ansible managed")
            var withContent = arguments
            withContent["content"] = .string(rendered)
            withContent["src"] = nil
            return try CopyModule.plan(ModuleArguments(withContent, module: "template", checkMode: checkMode, diff: diff), local: nil)
        case "ansible.builtin.lineinfile": return try LineInFileModule.plan(args)
        case "ansible.builtin.get_url": return try GetURLModule.plan(args)
        case "ansible.builtin.stat": return try InspectionModules.stat(args)
        case "ansible.builtin.slurp": return try InspectionModules.slurp(args)
        case "ansible.builtin.wait_for": return try InspectionModules.waitFor(args)
        case "ansible.builtin.uri": return try URIModule.plan(args)
        case "community.docker.docker_login": return try DockerLoginModule.plan(args, environment: environment)
        case "community.docker.docker_compose_v2": return try DockerComposeModule.plan(args, environment: environment)
        case "skiff.compose_deploy":
            let files = try args.list("files", aliases: ["compose_files"]).map { try locate($0, kind: "files", task: task, context: context) }
            return try ComposeDeployModule.plan(args, files: files, runDirectory: "/tmp/skiff-\(RandomToken.hex128())", environment: environment)
        default:
            throw ModuleError("the module \(task.module) cannot run yet in this version of Skiff")
        }
    }

    /// A controller-side file: absolute, or in the role's `files/`/`templates/`, or beside the playbook.
    static func locate(_ name: String, kind: String, task: Task, context: TemplateContext) throws -> String {
        if name.hasPrefix("/") {
            guard FileManager.default.fileExists(atPath: name) else { throw ModuleError("\(name) does not exist on the controller") }
            return name
        }
        var candidates: [String] = []
        if let role = task.role { candidates += ["\(role.path)/\(kind)/\(name)", "\(role.path)/\(name)"] }
        let taskDirectory = (task.location.file as NSString).deletingLastPathComponent
        candidates += ["\(taskDirectory)/\(kind)/\(name)", "\(taskDirectory)/\(name)"]
        for base in context.searchPaths { candidates += ["\(base)/\(kind)/\(name)", "\(base)/\(name)"] }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ModuleError("could not find '\(name)' (looked in \(candidates.joined(separator: ", ")))")
        }
        return found
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
