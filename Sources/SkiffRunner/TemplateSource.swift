#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
import SkiffPlaybook
import SkiffTemplate

/// The source file of a `template` task, read before the run for the check that every variable has a
/// source (`UndefinedVariables`): only a `src` with no template in it, found where the task will look
/// for it (`ModuleDispatch.places`), and no larger than 1 MiB.
struct TemplateSource {
    let path: String
    let text: String

    /// Names Ansible's `template` module defines in the file (`ansible_managed` is an `ansible_*` name).
    static let names: Set<String> = [
        "template_host", "template_path", "template_fullpath", "template_destpath", "template_uid", "template_run_date",
    ]

    init?(_ task: Task, playbookDirectory: String) {
        guard task.module == "ansible.builtin.template", case .string(let name)? = task.arguments["src"],
            !name.isEmpty, !Template.isTemplated(name)
        else { return nil }
        // The search paths a task's context has when it runs (see HostVariables): the role's, the playbook's.
        let searchPaths = [task.role?.path, playbookDirectory].compactMap { $0 }
        let candidates = ModuleDispatch.places(name, kind: "templates", task: task, searchPaths: searchPaths)
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
            let bytes = FileContents.read(path), bytes.count <= 1 << 20, !bytes.contains(0)
        else { return nil }
        self.path = path
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// Where `name` is first written in the file (the start of the word), else the file's first line.
    func location(of name: String) -> SourceLocation {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            while let range = rest.firstRange(of: name) {
                let before = range.lowerBound == line.startIndex ? nil : line[line.index(before: range.lowerBound)]
                let after = range.upperBound == line.endIndex ? nil : line[range.upperBound]
                if !Self.isWordCharacter(before), !Self.isWordCharacter(after) {
                    return SourceLocation(file: path, line: index + 1, column: line.distance(from: line.startIndex, to: range.lowerBound) + 1)
                }
                rest = line[range.upperBound...]
            }
        }
        return SourceLocation(file: path, line: 1)
    }

    private static func isWordCharacter(_ character: Character?) -> Bool {
        guard let character else { return false }
        return character == "_" || character.isLetter || character.isNumber
    }
}
