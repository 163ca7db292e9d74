#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffPlaybook

/// `include_vars`, on the controller: variables from a YAML/JSON file (`file`, or the free-form text) or
/// every such file of a directory (`dir`, sorted by name, `depth`, `files_matching`, `ignore_files`,
/// `extensions`, `ignore_unknown_extensions`), optionally under one name (`name`). A relative file is looked
/// for as ansible-playbook looks for it: in the role's `vars/`, the role, the playbook's `vars/`, then
/// beside the playbook; a relative `dir` is in the role's `vars/`, else beside the task's file. The
/// values are templates, rendered when used, between task vars and `set_fact` in precedence; they stay
/// the host's for the rest of the run.
enum IncludeVarsAction {
    static func run(_ task: Task, arguments: OrderedDictionary<String, Value>, searchPaths: [String]) throws -> ModuleOutcome {
        let extensions = Set((arguments["extensions"]?.listValue?.map(\.text) ?? ["yaml", "yml", "json"]).map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 })
        var files: [String] = []
        if let dir = arguments["dir"]?.text, !dir.isEmpty {
            let root = directory(dir, for: task)
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory else {
                throw ModuleError("\(task.location): include_vars: \(root) directory does not exist")
            }
            files = try directoryFiles(root, depth: arguments["depth"]?.intValue ?? 0, matching: arguments["files_matching"]?.text,
                                       ignoring: Set(arguments["ignore_files"]?.listValue?.map(\.text) ?? []), extensions: extensions,
                                       ignoreUnknown: arguments["ignore_unknown_extensions"]?.isTrue ?? false)
        } else if let file = (arguments["file"] ?? arguments["_raw_params"])?.text, !file.isEmpty {
            files = [try find(file, in: searchPaths, directory: false)]
        } else {
            throw ModuleError("\(task.location): include_vars needs a file (or `file:`) or `dir:`")
        }
        var variables = OrderedDictionary<String, Value>()
        for file in files {
            do {
                variables.merge(try VariablesFile.read(file)) { $1 }
            } catch {
                throw ModuleError("\(task.location): include_vars: \(error)")
            }
        }
        if let name = arguments["name"]?.text, !name.isEmpty { variables = [name: .dict(variables)] }
        return ModuleOutcome(result: ["ansible_facts": .dict(variables), "ansible_included_var_files": .list(files.map(Value.string))])
    }

    /// An absolute path as it is; a relative one in the role's `vars/`, the role, the playbook's `vars/`,
    /// then beside the playbook.
    static func find(_ path: String, in searchPaths: [String], directory: Bool) throws -> String {
        let candidates = path.hasPrefix("/") ? [path] : searchPaths.flatMap { ["\($0)/vars/\(path)", "\($0)/\(path)"] }
        for candidate in candidates {
            var isDirectory = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory == directory { return candidate }
        }
        throw ModuleError("include_vars: could not find \(directory ? "directory" : "file") '\(path)' (looked in \(candidates.joined(separator: ", ")))")
    }

    /// Where a relative `dir` is: in a role, under its `vars/` (or the role itself for `vars/…`); else
    /// beside the file the task is written in.
    static func directory(_ dir: String, for task: Task) -> String {
        if dir.hasPrefix("/") { return dir }
        if let role = task.role {
            return dir.split(separator: "/").first == "vars" ? "\(role.path)/\(dir)" : "\(role.path)/vars/\(dir)"
        }
        return URL(fileURLWithPath: task.location.file).deletingLastPathComponent().appendingPathComponent(dir).path
    }

    /// The directory's variable files as ansible-core walks them: a directory's own files by name, then
    /// its subdirectories, down to `depth` levels (0: all). A file with another extension is an error
    /// unless `ignoreUnknown`.
    static func directoryFiles(_ root: String, depth: Int, matching pattern: String?, ignoring: Set<String>, extensions: Set<String>,
                               ignoreUnknown: Bool) throws -> [String] {
        let regex = try pattern.map { try Regex($0) }
        var found: [String] = []
        func walk(_ directory: String, level: Int) throws {
            guard depth == 0 || level <= depth, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
            var subdirectories: [String] = []
            for name in names.sorted() where !ignoring.contains(name) {
                let path = "\(directory)/\(name)"
                var isDirectory = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                if isDirectory { subdirectories.append(path); continue }
                guard regex.map({ name.firstMatch(of: $0) != nil }) ?? true else { continue }
                guard extensions.contains(PathText.extension(name)) else {
                    if ignoreUnknown { continue }
                    throw ModuleError("include_vars: \(path) does not have a valid extension: \(extensions.sorted().joined(separator: ", "))")
                }
                found.append(path)
            }
            for subdirectory in subdirectories { try walk(subdirectory, level: level + 1) }
        }
        try walk(root, level: 1)
        return found
    }
}
