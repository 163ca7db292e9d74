#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffModules
import SkiffPlaybook

/// Whether a play can read gathered facts. Skiff reads every template before the run, so it knows:
/// when nothing a play's tasks, vars, template files, the inventory or the extra vars write names a
/// fact Skiff gathers (`ansible_hostname`, `ansible_facts`, …) or reads variables by a computed name
/// (`hostvars`, `vars[…]`, `lookup('vars', …)`, `varnames`), gathering is skipped even under
/// `gather_facts: true` — the facts command costs more than a whole deploy. The check errs on the side
/// of gathering: any mention counts, in a template or not, and a template file it cannot find, an
/// `include_vars` or a `template` lookup count as a use.
public enum FactUsage {
    /// When facts are gathered: `auto` (only for plays that can read them) or `always` (as Ansible).
    public enum Mode: String, Sendable {
        case auto, always
    }

    /// Names that read facts: what `Facts` gathers, and the ways to reach any variable by name.
    static let readers: Set<String> = Set(Facts.gathered).union(["ansible_facts", "hostvars", "vars", "varnames"])

    /// Whether a play's tasks can read facts (`other`: the inventory's and the extra vars' templates,
    /// scanned once per run).
    public static func needed(by play: Play, alsoIn other: [String]) -> Bool {
        if other.contains(where: mentionsFacts) { return true }
        let (tasks, values) = play.contents
        var strings: [String] = []
        for value in values { collect(value, into: &strings) }
        for task in tasks {
            collect(.dict(task.arguments), into: &strings)
            collect(.dict(task.keywords), into: &strings)
            if task.module == "ansible.builtin.include_vars" { return true }
            if task.module == "ansible.builtin.template" {
                guard let text = templateText(task, playDirectory: play.directory) else { return true }
                strings.append(text)
            }
        }
        return strings.contains(where: mentionsFacts)
    }

    /// Every string in a value, mapping keys included.
    private static func collect(_ value: Value, into strings: inout [String]) {
        switch value {
        case .string(let text): strings.append(text)
        case .list(let items): for item in items { collect(item, into: &strings) }
        case .dict(let dict):
            for (key, item) in dict {
                strings.append(key)
                collect(item, into: &strings)
            }
        default: break
        }
    }

    /// Whether a text names a fact reader, as an identifier (`ansible_hostname`, `hostvars[...]`), or
    /// looks up a template file whose text is not known here.
    static func mentionsFacts(_ text: String) -> Bool {
        guard text.contains("ansible_") || text.contains("vars") || text.contains("template") else { return false }
        if text.contains("lookup('template'") || text.contains("lookup(\"template\"") || text.contains("'ansible.builtin.template'") { return true }
        var identifier = ""
        for scalar in text.unicodeScalars {
            if scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) {
                identifier.unicodeScalars.append(scalar)
            } else {
                if readers.contains(identifier) { return true }
                identifier = ""
            }
        }
        return readers.contains(identifier)
    }

    /// A `template` task's source text, when its path is written plainly and the file is found where the
    /// task would find it (the role's `templates/`, the role, the playbook's `templates/`, beside it).
    private static func templateText(_ task: Task, playDirectory: String) -> String? {
        guard let src = task.arguments["src"]?.stringValue, !src.contains("{{"), !src.contains("{%") else { return nil }
        let bases = [task.role?.path, playDirectory].compactMap { $0 }
        let candidates = src.hasPrefix("/") ? [src] : bases.flatMap { ["\($0)/templates/\(src)", "\($0)/\(src)"] }
        for path in candidates {
            if let data = FileManager.default.contents(atPath: path) { return String(decoding: data, as: UTF8.self) }
        }
        return nil
    }

    /// The inventory's variable values and the extra vars, as text (scanned once per run).
    public static func strings(of inventory: Inventory, extraVars: OrderedDictionary<String, Value>) -> [String] {
        var strings: [String] = []
        func collect(_ value: Value) {
            switch value {
            case .string(let text) where text.contains("{{") || text.contains("{%"): strings.append(text)
            case .list(let items): items.forEach(collect)
            case .dict(let dict): dict.values.forEach(collect)
            default: break
            }
        }
        for host in inventory.hosts.values { collect(.dict(host.vars)) }
        for group in inventory.groups.values { collect(.dict(group.vars)) }
        collect(.dict(extraVars))
        return strings
    }
}
