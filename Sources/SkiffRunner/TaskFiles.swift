#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
import SkiffModules
import SkiffPlaybook
import SkiffTemplate

/// The controller's files as a task's module sees them: looked up in the task's role, then beside the
/// playbook; templates rendered with the task's variables.
struct TaskFiles: ControllerFiles {
    let task: Task
    let context: TemplateContext

    func locate(_ name: String, kind: String) throws -> String {
        try ModuleDispatch.locate(name, kind: kind, task: task, context: context)
    }

    func sha256(ofFile path: String) throws -> String { try ModuleDispatch.sha256(ofFile: path) }

    func diffableText(ofFile path: String) -> String? { ModuleDispatch.diffableText(of: path) }

    func render(templateAt path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ModuleError("template: cannot read \(path)") }
        return try TemplateFile.render(String(decoding: data, as: UTF8.self), file: path, context: context,
                                       managed: AnsibleConfig.load()[defaults: "ansible_managed"] ?? "Ansible managed")
    }

    func files(under directory: String) throws -> [String] { try entries(under: directory, directories: false) }

    func directories(under directory: String) throws -> [String] { try entries(under: directory, directories: true) }

    /// Symbolic links are followed, as Ansible's copy does by default.
    private func entries(under directory: String, directories: Bool) throws -> [String] {
        guard let all = try? FileManager.default.subpathsOfDirectory(atPath: directory) else { throw ModuleError("cannot read \(directory)") }
        var found: [String] = []
        for relative in all {
            var isDirectory = false
            if FileManager.default.fileExists(atPath: "\(directory)/\(relative)", isDirectory: &isDirectory), isDirectory == directories {
                found.append(relative)
            }
        }
        return found.sorted()
    }

    func isDirectory(_ path: String) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory
    }
}
