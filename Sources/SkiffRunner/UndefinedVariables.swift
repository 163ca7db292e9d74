import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffModules
import SkiffPlaybook
import SkiffTemplate

/// Variables no source can define, found before any host is contacted: a task reads `{{ version }}` and
/// nothing — inventory host or group vars (of any host), play, block, task or role vars, vars files,
/// role defaults, extra vars, `register`, `set_fact`, `include_vars`, `vars_prompt`, loop variables,
/// facts (`ansible_*`), magic variables — defines `version` anywhere in the run. Each is reported with
/// where it is read and the hint `-e NAME=…`.
///
/// The check errs toward no error, since a false alarm would refuse a valid playbook: every source
/// counts for every host and every play; a use under `| default(…)`, `| d(…)`, `is defined` or `is
/// undefined` is allowed (anywhere in the same task); a task with a `when` is checked only in its
/// `when`; handlers, task names, `debug: var=` and `assert: that` are not checked; a play whose
/// `include_vars` or `vars_files` name a file not known before the run (computed, a directory, not
/// found) is not checked, nor is any play after it. A `template` task's source file, when it is named
/// plainly and found now (in the role's or the playbook's `templates/`, or beside them), is read too.
public enum UndefinedVariables {
    /// Ansible's magic variables and the other names every task sees.
    static let magic: Set<String> = [
        "inventory_hostname", "inventory_hostname_short", "groups", "group_names", "hostvars", "play_hosts", "vars",
        "omit", "playbook_dir", "inventory_dir", "inventory_file", "role_name", "role_path", "role_names", "item",
        "environment", "lookup", "query", "q",
    ]

    /// Problems found, one per undefined name (where it is first read).
    public static func check(_ playbooks: [Playbook], inventory: Inventory, extraVars: OrderedDictionary<String, Value>) -> [Diagnostic] {
        var defined = magic.union(Facts.gathered).union(extraVars.keys)
        for host in inventory.hosts.keys { defined.formUnion(inventory.variables(of: host).keys) }
        for group in inventory.groups.values { defined.formUnion(group.vars.keys) }
        var checked: [(Playbook, Play)] = []
        var unknownSources = false
        for playbook in playbooks {
            for play in playbook.plays {
                guard let names = definitions(in: play) else {
                    // What this play defines is not known before the run: neither it nor any later play is checked.
                    unknownSources = true
                    continue
                }
                defined.formUnion(names)
                if !unknownSources { checked.append((playbook, play)) }
            }
        }
        var problems: [Diagnostic] = []
        var reported = Set<String>()
        for (playbook, play) in checked {
            let directory = PathText.parent(playbook.path)
            for (task, uses) in reads(in: play, playbookDirectory: directory) {
                for (name, text, location) in uses where !defined.contains(name) && !isAnsibleName(name) && !reported.contains(name) {
                    reported.insert(name)
                    problems.append(Diagnostic(
                        "the variable '\(name)' has no source: no inventory, vars, vars file, role, register, set_fact, "
                            + "include_vars, fact or extra var defines it",
                        at: location ?? playbook.templateLocations[text] ?? task.location, hint: "give it with -e \(name)=…"))
                }
            }
        }
        return problems
    }

    /// Facts, connection variables and Ansible's other `ansible_*` names, which a host or the runner may set.
    private static func isAnsibleName(_ name: String) -> Bool {
        name.hasPrefix("ansible_") || name.hasPrefix("skiff_")
    }

    /// Every name the play can define; nil when some of them are not known before the run.
    static func definitions(in play: Play) -> Set<String>? {
        if play.varsFiles.contains(where: Template.isTemplated) { return nil }
        var names = Set(play.vars.keys).union(play.varsFromFiles.keys).union(play.prompts.map(\.name))
        for role in play.roles + play.includedRoles {
            names.formUnion(role.defaults.keys)
            names.formUnion(role.vars.keys)
        }
        let (tasks, values) = play.contents
        // Variables and loop variables of blocks (an include_tasks with a loop is a block) and of tasks.
        func keywordNames(_ keywords: OrderedDictionary<String, Value>) {
            if case .dict(let vars)? = keywords["vars"] { names.formUnion(vars.keys) }
            if case .dict(let control)? = keywords["loop_control"] {
                for key in ["loop_var", "index_var"] { if let name = control[key]?.stringValue { names.insert(name) } }
            }
        }
        for case .dict(let keywords) in values { keywordNames(keywords) }
        for task in tasks {
            keywordNames(task.keywords)
            if let register = task.keywords["register"]?.stringValue { names.insert(register) }
            switch task.module {
            case "ansible.builtin.set_fact", "ansible.builtin.add_host", "ansible.builtin.set_stats":
                names.formUnion(task.arguments.keys)
                if case .dict(let data)? = task.arguments["data"] { names.formUnion(data.keys) }
            case "ansible.builtin.include_vars":
                guard let included = includedNames(task, play: play) else { return nil }
                names.formUnion(included)
            default:
                break
            }
        }
        return names
    }

    /// The names an `include_vars` task defines, when its file is named plainly and found now.
    private static func includedNames(_ task: Task, play: Play) -> Set<String>? {
        if let name = task.arguments["name"]?.stringValue, !Template.isTemplated(name) { return [name] }
        guard task.arguments["dir"] == nil, let file = (task.arguments["file"] ?? task.arguments["_raw_params"])?.stringValue,
              !Template.isTemplated(file),
              let path = try? IncludeVarsAction.find(file, in: [task.role?.path, play.directory].compactMap { $0 }, directory: false),
              let variables = try? VariablesFile.read(path)
        else { return nil }
        return Set(variables.keys)
    }

    /// Task keywords whose values are not read as templates here (names, lists of tags, handlers).
    private static let unread: Set<String> = ["name", "vars", "register", "tags", "notify", "listen", "loop_control", "no_log"]

    /// For each task the play runs (handlers aside), the names it reads unguarded, each with the text it
    /// is read in, and where, for a `template` task's source file.
    static func reads(in play: Play, playbookDirectory: String) -> [(Task, [(name: String, text: String, location: SourceLocation?)])] {
        var result: [(Task, [(name: String, text: String, location: SourceLocation?)])] = []
        for task in play.allTasks {
            var uses: [(VariableUses, String)] = []
            var fileUses: [(VariableUses, TemplateSource)] = []
            func read(_ value: Value, conditions: Bool) {
                switch value {
                case .string(let text):
                    if conditions, let condition = try? Condition(text) { uses.append((condition.variableUses, text)) }
                    if !conditions, Template.isTemplated(text), let template = try? Template(text) { uses.append((template.variableUses, text)) }
                case .list(let items): for item in items { read(item, conditions: conditions) }
                case .dict(let dict): for item in dict.values { read(item, conditions: false) }
                default: break
                }
            }
            if let when = task.keywords["when"] {
                // A task with a condition is checked only there: whether the rest runs is known on the host.
                read(when, conditions: true)
            } else {
                for (key, value) in task.keywords where !unread.contains(key) {
                    read(value, conditions: ["failed_when", "changed_when", "until"].contains(key))
                }
                for (key, value) in task.arguments {
                    if task.module == "ansible.builtin.assert" && key == "that" { continue }
                    if task.module == "ansible.builtin.debug" && key == "var" { continue }
                    read(value, conditions: false)
                }
                if let source = TemplateSource(task, playbookDirectory: playbookDirectory), let template = try? Template(source.text, file: source.path) {
                    fileUses.append((template.variableUses, source))
                }
            }
            let guarded = (uses.map(\.0) + fileUses.map(\.0)).reduce(into: Set<String>()) { $0.formUnion($1.guarded) }
            var names: [(name: String, text: String, location: SourceLocation?)] = []
            for (use, text) in uses {
                for name in use.read.subtracting(guarded).sorted() { names.append((name, text, nil)) }
            }
            for (use, source) in fileUses {
                for name in use.read.subtracting(guarded).subtracting(TemplateSource.names).sorted() {
                    names.append((name, source.text, source.location(of: name)))
                }
            }
            result.append((task, names))
        }
        return result
    }
}
