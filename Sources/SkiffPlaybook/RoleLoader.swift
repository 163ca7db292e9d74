#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffYAML

/// Reads roles in the standard layout, `roles/NAME/{tasks,handlers,defaults,vars,meta}/main.yml`, found
/// beside the playbook (`roles/NAME`, then `NAME`) and in the roles path: `$SKIFF_ROLES_PATH` or
/// `$ANSIBLE_ROLES_PATH`, else ansible.cfg's `roles_path` (relative to the file), else Ansible's default
/// (`~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles`); colon-separated.
/// `meta/main.yml` dependencies come first.
extension LoadSession {
    static var rolesPath: [String] {
        for name in ["SKIFF_ROLES_PATH", "ANSIBLE_ROLES_PATH"] {
            if let value = Environment.value(name), !value.isEmpty { return value.split(separator: ":").map(String.init) }
        }
        if let configured = AnsibleConfig.load().searchPath(defaults: "roles_path") { return configured }
        return [(Environment.value("HOME") ?? "~") + "/.ansible/roles", "/usr/share/ansible/roles", "/etc/ansible/roles"]
    }

    func findRole(_ name: String, playbookDirectory: String) -> String? {
        if name.contains("/") {
            let path = Self.resolve(name, relativeTo: playbookDirectory)
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
        let candidates = ["\(playbookDirectory)/roles/\(name)", "\(playbookDirectory)/\(name)"] + Self.rolesPath.map { "\($0)/\(name)" }
        return candidates.first { FileManager.default.fileExists(atPath: "\($0)/tasks") || FileManager.default.fileExists(atPath: "\($0)/meta") || FileManager.default.fileExists(atPath: "\($0)/handlers") }
    }

    /// The roles of a play's `roles:` list, dependencies first, each role once.
    func playRoles(_ node: Node, file: String, playbookDirectory: String) -> [Role] {
        guard case .sequence(let entries) = node else {
            report("'roles' must be a list of role names", at: location(node, file))
            return []
        }
        var roles: [Role] = []
        var loaded: Set<String> = []
        for entry in entries {
            var name = entry.string
            var extraVars = OrderedDictionary<String, Value>()
            var inherited = OrderedDictionary<String, Value>()
            if case .mapping(let fields) = entry {
                for (keyNode, value) in fields {
                    let key = keyNode.string ?? ""
                    switch key {
                    case "role", "name": name = value.string
                    case "vars":
                        if case .dict(let dict)? = try? YAMLValue.value(of: value, file: file) { extraVars = dict }
                    case "tags", "when":
                        checkTemplates(in: value, file: file, conditions: key == "when")
                        inherited[key] = (try? YAMLValue.value(of: value, file: file)) ?? .null
                    default:
                        // Ansible's old style: other keys are role variables.
                        extraVars[key] = (try? YAMLValue.value(of: value, file: file)) ?? .null
                    }
                }
            }
            guard let name else {
                report("a role entry needs a name ('- NAME' or '- role: NAME')", at: location(entry, file))
                continue
            }
            roles += loadRole(name, at: location(entry, file), playbookDirectory: playbookDirectory, vars: extraVars,
                              inherited: inherited, loaded: &loaded, chain: [])
        }
        return roles
    }

    func loadRole(
        _ name: String, at location: SourceLocation, playbookDirectory: String, vars: OrderedDictionary<String, Value>,
        inherited: OrderedDictionary<String, Value>, loaded: inout Set<String>, chain: [String], tasksFrom: String = "main"
    ) -> [Role] {
        guard let path = findRole(name, playbookDirectory: playbookDirectory) else {
            report("role '\(name)' not found", at: location,
                   hint: "looked in \(playbookDirectory)/roles/\(name), \(playbookDirectory)/\(name) and the roles path ($SKIFF_ROLES_PATH, ansible.cfg roles_path)")
            return []
        }
        if chain.contains(name) {
            report("role '\(name)' depends on itself (\((chain + [name]).joined(separator: " → ")))", at: location)
            return []
        }
        var result: [Role] = []
        let metaPath = Self.mainFile(in: "\(path)/meta")
        if let metaPath, let meta = readMapping(metaPath, at: location), case .sequence(let dependencies)? = meta["dependencies"] {
            for dependency in dependencies {
                let dependencyName: String?
                if let text = dependency.string { dependencyName = text } else { dependencyName = dependency.mapping?["role"]?.string ?? dependency.mapping?["name"]?.string }
                guard let dependencyName else {
                    report("a role dependency needs a name", at: self.location(dependency, metaPath))
                    continue
                }
                result += loadRole(dependencyName, at: self.location(dependency, metaPath), playbookDirectory: playbookDirectory,
                                   vars: [:], inherited: inherited, loaded: &loaded, chain: chain + [name])
            }
        }
        let key = "\(path)#\(tasksFrom)"
        guard loaded.insert(key).inserted else { return result }
        let reference = RoleReference(name: name, path: path)
        var roleVars = variablesFile(Self.mainFile(in: "\(path)/vars"), at: location)
        roleVars.merge(vars) { $1 }
        let tasksFile = tasksFrom == "main" ? Self.mainFile(in: "\(path)/tasks") : Self.named(tasksFrom, in: "\(path)/tasks")
        if tasksFrom != "main" && tasksFile == nil {
            report("role '\(name)' has no tasks file '\(tasksFrom)'", at: location)
        }
        let tasks = tasksFile.map { roleTasks($0, role: reference, inherited: inherited, at: location) } ?? []
        let handlers = Self.mainFile(in: "\(path)/handlers").map { roleTasks($0, role: reference, inherited: [:], at: location) } ?? []
        result.append(Role(name: name, path: path, defaults: variablesFile(Self.mainFile(in: "\(path)/defaults"), at: location),
                           vars: roleVars, tasks: tasks, handlers: handlers))
        return result
    }

    private func roleTasks(_ file: String, role: RoleReference, inherited: OrderedDictionary<String, Value>, at location: SourceLocation) -> [TaskItem] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        let node: Node?
        do {
            node = try YAMLValue.compose(String(decoding: data, as: UTF8.self), file: file)
        } catch let error as YAMLError {
            report(error.message, at: error.location)
            return []
        } catch {
            return []
        }
        guard let node else { return [] }
        return taskList(node, file: file, inherited: inherited).map { $0.inRole(role) }
    }

    private func readMapping(_ file: String, at location: SourceLocation) -> Node.Mapping? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        do {
            guard case .mapping(let mapping)? = try YAMLValue.compose(String(decoding: data, as: UTF8.self), file: file) else { return nil }
            return mapping
        } catch let error as YAMLError {
            report(error.message, at: error.location)
            return nil
        } catch {
            return nil
        }
    }

    private func variablesFile(_ file: String?, at location: SourceLocation) -> OrderedDictionary<String, Value> {
        guard let file, let mapping = readMapping(file, at: location) else { return [:] }
        guard case .dict(let dict)? = try? YAMLValue.value(of: .mapping(mapping), file: file) else { return [:] }
        return dict
    }

    static func mainFile(in directory: String) -> String? { named("main", in: directory) }

    static func named(_ name: String, in directory: String) -> String? {
        ["\(directory)/\(name).yml", "\(directory)/\(name).yaml", "\(directory)/\(name)"].first { FileManager.default.fileExists(atPath: $0) }
    }
}

extension TaskItem {
    /// The same item with every task marked as the role's (a task from a nested role keeps its own).
    func inRole(_ role: RoleReference) -> TaskItem {
        switch self {
        case .task(var task):
            if task.role == nil { task.role = role }
            return .task(task)
        case .block(var block):
            block.block = block.block.map { $0.inRole(role) }
            block.rescue = block.rescue.map { $0.inRole(role) }
            block.always = block.always.map { $0.inRole(role) }
            return .block(block)
        }
    }
}
