#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffTemplate
import SkiffYAML

/// Reads a playbook and everything it imports, and checks it all before anything runs: YAML syntax,
/// keywords, module names and arguments, template syntax and filter names. Every problem is reported
/// (not just the first), each with its file, line and column.
public struct PlaybookLoader {
    public init() {}

    /// - Parameter tags: `--tags`/`--skip-tags`: a task they leave out may name a module Skiff does not
    ///   have (it never runs); every other problem is an error wherever it is.
    public func load(_ path: String, tags: TagFilter = TagFilter()) throws -> Playbook {
        let session = LoadSession()
        let plays = session.loadPlaybook(path, from: nil)
        var diagnostics = session.diagnostics
        for play in plays {
            for task in play.allTasks where !tags.selects(task, in: play) {
                guard let unknown = task.unknownModule, let index = diagnostics.firstIndex(of: unknown) else { continue }
                diagnostics.remove(at: index)
            }
        }
        if !diagnostics.isEmpty { throw PlaybookError(diagnostics: diagnostics) }
        return Playbook(path: path, plays: plays, templateLocations: session.templateLocations)
    }
}

/// The state of one load: problems found so far and the files being read (to catch import cycles).
final class LoadSession {
    var diagnostics: [Diagnostic] = []
    private var stack: [String] = []
    /// The playbook's directory, where roles are looked up.
    var rootDirectory: String?
    /// Roles pulled in by import_role/include_role in the play being read (for their variables and handlers).
    var includedRoles: [Role] = []
    /// Where each templated string was first read (see `Playbook.templateLocations`).
    var templateLocations: [String: SourceLocation] = [:]

    func report(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: location, hint: hint))
    }

    private func readYAML(_ path: String, from location: SourceLocation?) -> Node? {
        guard let data = FileManager.default.contents(atPath: path) else {
            report("cannot read \(path)", at: location, hint: FileManager.default.fileExists(atPath: path) ? nil : "no such file")
            return nil
        }
        do {
            return try YAMLValue.compose(String(decoding: data, as: UTF8.self), file: path)
        } catch let error as YAMLError {
            report(error.message, at: error.location)
            return nil
        } catch {
            report("\(error)", at: location)
            return nil
        }
    }

    private func enter(_ path: String, at location: SourceLocation?) -> Bool {
        let canonical = URL(fileURLWithPath: path).standardizedFileURL.path
        if stack.contains(canonical) {
            report("\(path) imports itself (through \(stack.map { PathText.lastComponent($0) }.joined(separator: " → ")))", at: location)
            return false
        }
        stack.append(canonical)
        return true
    }

    private func leave() { stack.removeLast() }

    static func directory(of path: String) -> String {
        let parent = PathText.parent(path)
        return parent.isEmpty ? "." : parent
    }

    static func resolve(_ path: String, relativeTo directory: String) -> String {
        path.hasPrefix("/") ? path : "\(directory)/\(path)"
    }

    func location(_ node: Node, _ file: String) -> SourceLocation { YAMLValue.location(of: node, file: file) }

    // MARK: Plays

    func loadPlaybook(_ path: String, from location: SourceLocation?) -> [Play] {
        guard enter(path, at: location) else { return [] }
        defer { leave() }
        guard let root = readYAML(path, from: location) else { return [] }
        guard case .sequence(let entries) = root else {
            report("a playbook is a list of plays", at: self.location(root, path), hint: "start each play with '- hosts: …'")
            return []
        }
        var plays: [Play] = []
        for entry in entries {
            guard case .mapping(let fields) = entry else {
                report("a play must be a mapping", at: self.location(entry, path))
                continue
            }
            if let imported = fields.first(where: { ["import_playbook", "ansible.builtin.import_playbook"].contains($0.key.string ?? "") }) {
                guard let target = imported.value.string else {
                    report("import_playbook takes a file name", at: self.location(imported.value, path))
                    continue
                }
                plays += loadPlaybook(Self.resolve(target, relativeTo: Self.directory(of: path)), from: self.location(imported.value, path))
                continue
            }
            if let play = parsePlay(fields, node: entry, file: path) { plays.append(play) }
        }
        return plays
    }

    private func parsePlay(_ fields: Node.Mapping, node: Node, file: String) -> Play? {
        let directory = Self.directory(of: file)
        rootDirectory = directory
        includedRoles = []
        var play = Play(hosts: "", location: location(node, file), directory: directory)
        var sawHosts = false
        for (keyNode, value) in fields {
            let key = keyNode.string ?? ""
            let at = location(keyNode, file)
            guard TaskKeywords.play.contains(key) else {
                report("'\(key)' is not a valid keyword for a play", at: at, hint: Suggestion.closest(to: key, in: Array(TaskKeywords.play)).map { "did you mean '\($0)'?" })
                continue
            }
            // Task lists are checked task by task, where each problem gets its task's context.
            if !["tasks", "pre_tasks", "post_tasks", "handlers"].contains(key) { checkTemplates(in: value, file: file) }
            switch key {
            case "name": play.name = value.string
            case "hosts":
                sawHosts = true
                if case .sequence(let items) = value {
                    play.hostEntries = items.compactMap(\.string)
                    play.hosts = play.hostEntries.joined(separator: ",")
                } else if let text = value.string, !text.isEmpty {
                    play.hosts = text
                    play.hostEntries = [text]
                } else {
                    report("'hosts' must name a host pattern", at: location(value, file))
                }
            case "vars": play.vars = variables(value, file: file, what: "play vars")
            case "vars_prompt": play.prompts = variablePrompts(value, file: file)
            case "vars_files":
                play.varsFiles = stringList(value, file: file, what: "vars_files")
                for path in play.varsFiles where !Template.isTemplated(path) {
                    let resolved = Self.resolve(path, relativeTo: directory)
                    if !FileManager.default.fileExists(atPath: resolved) {
                        report("vars file '\(path)' does not exist", at: location(value, file))
                    } else {
                        play.varsFromFiles.merge(varsFile(resolved, at: location(value, file))) { $1 }
                    }
                }
            case "tasks": play.tasks = taskList(value, file: file, inherited: [:])
            case "pre_tasks": play.preTasks = taskList(value, file: file, inherited: [:])
            case "post_tasks": play.postTasks = taskList(value, file: file, inherited: [:])
            case "handlers": play.handlers = taskList(value, file: file, inherited: [:])
            case "roles":
                play.roles = playRoles(value, file: file, playbookDirectory: directory)
            default:
                play.keywords[key] = (try? YAMLValue.value(of: value, file: file)) ?? .null
            }
        }
        if !sawHosts {
            report("this play has no 'hosts'", at: play.location, hint: "add 'hosts: all' or a host pattern")
            return nil
        }
        play.includedRoles = includedRoles
        return play
    }

    // MARK: Tasks

    /// A task list; `inherited` holds keywords from enclosing includes (`when`, `tags`).
    func taskList(_ node: Node, file: String, inherited: OrderedDictionary<String, Value>) -> [TaskItem] {
        if YAMLValue.isNull(node) { return [] }
        guard case .sequence(let entries) = node else {
            report("a task list must be a list of tasks", at: location(node, file))
            return []
        }
        var items: [TaskItem] = []
        for entry in entries {
            guard case .mapping(let fields) = entry else {
                report("a task must be a mapping such as '- name: …' with a module", at: location(entry, file))
                continue
            }
            let keys = fields.keys.compactMap(\.string)
            if keys.contains("block") {
                if let block = parseBlock(fields, node: entry, file: file, inherited: inherited) { items.append(.block(block)) }
            } else if let include = keys.first(where: TaskKeywords.includes.contains) {
                items += parseInclude(include, fields, node: entry, file: file, inherited: inherited)
            } else if let keyword = keys.first(where: TaskKeywords.roleIncludes.contains) {
                items += parseRoleInclude(keyword, fields, node: entry, file: file, inherited: inherited)
            } else if let task = parseTask(fields, node: entry, file: file, inherited: inherited) {
                items.append(.task(task))
            }
        }
        return items
    }

    /// `import_tasks`/`include_tasks`: the file's tasks, read before the run. An `include_tasks` with
    /// `vars:` or a loop becomes a block holding them, which the runner runs once per item.
    private func parseInclude(
        _ keyword: String, _ fields: Node.Mapping, node: Node, file: String, inherited: OrderedDictionary<String, Value>
    ) -> [TaskItem] {
        var inheritedHere = inherited
        var target: String?
        var name: String?
        var blockKeywords = OrderedDictionary<String, Value>()
        let loops = !keyword.hasSuffix("import_tasks")
        for (keyNode, value) in fields {
            let key = keyNode.string ?? ""
            if key == keyword {
                target = value.string ?? value.mapping?["file"]?.string
            } else if key == "when" || key == "tags" {
                checkTemplates(in: value, file: file, conditions: key == "when")
                let parsed = (try? YAMLValue.value(of: value, file: file)) ?? .null
                inheritedHere[key] = Self.combine(inheritedHere[key], parsed)
            } else if key == "name" {
                name = value.string
            } else if key == "vars" || (loops && (TaskLoops.keywords.contains(key) || key == "loop_control")) {
                checkTemplates(in: value, file: file, conditions: false)
                blockKeywords[key] = (try? YAMLValue.value(of: value, file: file)) ?? .null
            } else if loops && TaskLoops.unsupported[key] != nil {
                continue  // checkLoop says what to write instead
            } else if key.hasPrefix("loop") || key.hasPrefix("with_") {
                report(loops ? "'\(key)' is not a valid keyword for \(keyword)" : "\(keyword) cannot loop: it is read before the run",
                       at: location(keyNode, file), hint: loops ? nil : "use include_tasks")
            } else {
                report("'\(key)' is not a valid keyword for \(keyword)", at: location(keyNode, file))
            }
        }
        if loops { checkLoop(fields, file: file) }
        guard let target else {
            report("\(keyword) needs a file name", at: location(node, file))
            return []
        }
        if Template.isTemplated(target) {
            report("\(keyword) with a templated file name is not supported by Skiff", at: location(node, file))
            return []
        }
        let path = Self.resolve(target, relativeTo: Self.directory(of: file))
        guard enter(path, at: location(node, file)) else { return [] }
        defer { leave() }
        guard let root = readYAML(path, from: location(node, file)) else { return [] }
        let tasks = taskList(root, file: path, inherited: inheritedHere)
        guard !blockKeywords.isEmpty else { return tasks }
        if case .dict? = blockKeywords["vars"] {} else if blockKeywords["vars"] != nil {
            report("'vars' on \(keyword) must be a mapping", at: location(node, file))
        }
        return [.block(Block(name: name ?? "\(keyword) \(target)", block: tasks, rescue: [], always: [], keywords: blockKeywords,
                             location: location(node, file)))]
    }

    /// At most one loop keyword on a task or include, and no `with_*` form Skiff cannot run.
    private func checkLoop(_ fields: Node.Mapping, file: String) {
        let loopKeys = fields.map(\.key).filter { TaskLoops.keywords.contains($0.string ?? "") }
        if loopKeys.count > 1 {
            report("one loop per task: \(loopKeys.compactMap(\.string).joined(separator: ", "))", at: location(loopKeys[1], file))
        }
        for (keyNode, _) in fields {
            if let key = keyNode.string, let hint = TaskLoops.unsupported[key] {
                report("'\(key)' is not supported by Skiff", at: location(keyNode, file), hint: hint)
            }
        }
    }

    /// `import_role`/`include_role: name: X [tasks_from: Y]`: the role's tasks, read statically, at this point.
    private func parseRoleInclude(
        _ keyword: String, _ fields: Node.Mapping, node: Node, file: String, inherited: OrderedDictionary<String, Value>
    ) -> [TaskItem] {
        var inheritedHere = inherited
        var name: String?
        var tasksFrom = "main"
        var vars = OrderedDictionary<String, Value>()
        for (keyNode, value) in fields {
            let key = keyNode.string ?? ""
            if key == keyword {
                guard case .mapping(let options) = value else {
                    report("\(keyword) takes 'name:' (and optionally 'tasks_from:')", at: location(value, file))
                    return []
                }
                name = options["name"]?.string
                tasksFrom = options["tasks_from"]?.string.map { PathText.deletingExtension($0) } ?? "main"
            } else if key == "when" || key == "tags" {
                checkTemplates(in: value, file: file, conditions: key == "when")
                inheritedHere[key] = Self.combine(inheritedHere[key], (try? YAMLValue.value(of: value, file: file)) ?? .null)
            } else if key == "vars" {
                if case .dict(let dict)? = try? YAMLValue.value(of: value, file: file) { vars = dict }
            } else if key != "name" {
                report("'\(key)' is not supported on \(keyword) by Skiff", at: location(keyNode, file))
            }
        }
        guard let name else {
            report("\(keyword) needs the role's name", at: location(node, file))
            return []
        }
        var loaded = Set<String>()
        let roles = loadRole(name, at: location(node, file), playbookDirectory: rootDirectory ?? Self.directory(of: file), vars: vars,
                             inherited: inheritedHere, loaded: &loaded, chain: [], tasksFrom: tasksFrom)
        includedRoles += roles
        return roles.flatMap(\.tasks)
    }

    private func parseBlock(_ fields: Node.Mapping, node: Node, file: String, inherited: OrderedDictionary<String, Value>) -> Block? {
        var keywords = inherited
        var parts: [String: Node] = [:]
        var name: String?
        for (keyNode, value) in fields {
            let key = keyNode.string ?? ""
            guard TaskKeywords.block.contains(key) else {
                report("'\(key)' is not a valid keyword for a block", at: location(keyNode, file),
                       hint: Suggestion.closest(to: key, in: Array(TaskKeywords.block)).map { "did you mean '\($0)'?" })
                continue
            }
            if !["block", "rescue", "always"].contains(key) {
                checkTemplates(in: value, file: file, conditions: TaskKeywords.conditions.contains(key))
            }
            switch key {
            case "block", "rescue", "always": parts[key] = value
            case "name": name = value.string
            default:
                let parsed = (try? YAMLValue.value(of: value, file: file)) ?? .null
                keywords[key] = key == "when" || key == "tags" ? Self.combine(keywords[key], parsed) : parsed
            }
        }
        // Tags and conditions of the block apply to every task inside it (added to the task's own); the
        // other inheritable keywords are defaults a task may override.
        let passDown = keywords.filter { $0.key == "when" || $0.key == "tags" || TaskKeywords.inheritedFromBlock.contains($0.key) }
        let list = { (key: String) in parts[key].map { self.taskList($0, file: file, inherited: passDown) } ?? [] }
        return Block(name: name, block: list("block"), rescue: list("rescue"), always: list("always"), keywords: keywords, location: location(node, file))
    }

    private func parseTask(_ fields: Node.Mapping, node: Node, file: String, inherited: OrderedDictionary<String, Value>) -> Task? {
        let at = location(node, file)
        var keywords = OrderedDictionary<String, Value>()
        var moduleKeys: [(String, Node, Node)] = []
        var extraArguments: Node?
        for (keyNode, value) in fields {
            let key = keyNode.string ?? ""
            if TaskKeywords.task.contains(key) {
                checkTemplates(in: value, file: file, conditions: TaskKeywords.conditions.contains(key))
                if key == "args" {
                    extraArguments = value
                } else if key == "action" || key == "local_action" {
                    moduleKeys.append((key, keyNode, value))
                } else {
                    keywords[key] = (try? YAMLValue.value(of: value, file: file)) ?? .null
                }
            } else {
                moduleKeys.append((key, keyNode, value))
            }
        }
        for (key, value) in inherited {
            keywords[key] = key == "when" || key == "tags" ? Self.combine(value, keywords[key]) : keywords[key] ?? value
        }
        checkLoop(fields, file: file)
        guard moduleKeys.count == 1, let (rawKey, keyNode, value) = moduleKeys.first else {
            if moduleKeys.isEmpty {
                report("this task has no module", at: at, hint: "add one, such as 'shell: …' or 'ansible.builtin.copy: …'")
            } else {
                let names = moduleKeys.map(\.0)
                let unknown = names.filter { ModuleRegistry.module(named: $0) == nil && $0 != "action" && $0 != "local_action" }
                if let first = unknown.first, unknown.count == 1 || names.count - unknown.count == 1 {
                    let node = moduleKeys.first { $0.0 == first }!.1
                    report("'\(first)' is not a valid keyword for a task, nor a module Skiff knows", at: location(node, file),
                           hint: Suggestion.closest(to: first, in: Array(TaskKeywords.task) + ModuleRegistry.allNames).map { "did you mean '\($0)'?" })
                } else {
                    report("conflicting modules in one task: \(names.joined(separator: ", "))", at: at)
                }
            }
            return nil
        }
        var moduleName = rawKey
        var argumentNode: Node? = value
        var inlineText: String?
        if rawKey == "action" || rawKey == "local_action" {
            if rawKey == "local_action" { keywords["delegate_to"] = .string("localhost") }
            if let text = value.string {
                let parts = text.split(separator: " ", maxSplits: 1)
                moduleName = parts.first.map(String.init) ?? ""
                inlineText = parts.count > 1 ? String(parts[1]) : nil
                argumentNode = nil
            } else if case .mapping(let mapping) = value, let module = mapping["module"]?.string {
                moduleName = module
            }
        }
        guard let module = ModuleRegistry.module(named: moduleName) else {
            // An error only when the task can run: a task --tags/--skip-tags leave out may name a module
            // Skiff does not have (`PlaybookLoader.load` decides, knowing the tags).
            let unknown = Diagnostic(
                "'\(moduleName)' is not a valid keyword for a task, nor a module Skiff knows", at: location(keyNode, file),
                hint: Suggestion.closest(to: moduleName, in: ModuleRegistry.allNames + Array(TaskKeywords.task)).map { "did you mean '\($0)'?" })
            diagnostics.append(unknown)
            var task = Task(
                name: keywords.removeValue(forKey: "name").map(\.text), module: moduleName, moduleAsWritten: moduleName,
                arguments: [:], keywords: keywords, location: location(keyNode, file))
            task.unknownModule = unknown
            return task
        }
        let spec = module.arguments
        let shortName = module.names.short
        var arguments = OrderedDictionary<String, Value>()
        var text = inlineText
        if text == nil, let node = argumentNode, case .scalar = node, !YAMLValue.isNull(node) { text = node.string }
        if let text {
            let (pairs, free) = KeyValueArguments.parse(text)
            if spec.freeForm == .command {
                // The command is the text itself, less the module's own options (chdir=…, creates=…).
                arguments = pairs.filter { spec.argument(named: $0.key) != nil }
                let raw = arguments.isEmpty ? text : Self.freeFormText(text, spec: spec)
                if !raw.isEmpty { arguments["_raw_params"] = .string(raw) }
            } else if spec.freeForm == .pairs {
                arguments = pairs
                if let free { arguments["_raw_params"] = .string(free) }
            } else {
                if let free {
                    report("'\(shortName)' takes key=value arguments, not '\(free)'", at: location(value, file))
                    return nil
                }
                arguments = pairs
            }
        } else if let node = argumentNode, case .mapping(let mapping) = node {
            for (argKey, argValue) in mapping where argKey.string != "module" {
                arguments[argKey.string ?? ""] = (try? YAMLValue.value(of: argValue, file: file)) ?? .null
            }
        } else if let node = argumentNode, !YAMLValue.isNull(node) {
            report("arguments of '\(shortName)' must be a mapping or key=value text", at: location(node, file))
        }
        if let extra = extraArguments {
            guard case .mapping(let mapping) = extra else {
                report("'args' must be a mapping", at: location(extra, file))
                return nil
            }
            for (argKey, argValue) in mapping { arguments[argKey.string ?? ""] = (try? YAMLValue.value(of: argValue, file: file)) ?? .null }
        }
        if let node = argumentNode { checkTemplates(in: node, file: file) }
        validate(arguments, of: spec, module: shortName, at: location(keyNode, file))
        if module.names.canonical == MetaModule.names.canonical {
            checkMetaAction(arguments, at: argumentNode.map { location($0, file) } ?? location(keyNode, file))
        }
        return Task(
            name: keywords.removeValue(forKey: "name").map(\.text), module: module.names.canonical, moduleAsWritten: moduleName,
            arguments: arguments, keywords: keywords, location: location(keyNode, file))
    }

    /// For command/shell/raw, the free-form text is the whole string less the module's own k=v options.
    static func freeFormText(_ text: String, spec: ArgumentSpec) -> String {
        KeyValueArguments.words(text).filter { word in
            guard let equals = word.firstIndex(of: "=") else { return true }
            return spec.argument(named: String(word[..<equals])) == nil
        }.joined(separator: " ")
    }

    private func validate(_ arguments: OrderedDictionary<String, Value>, of spec: ArgumentSpec, module: String, at location: SourceLocation) {
        if spec.acceptsAny { return }
        for (key, value) in arguments where key != "_raw_params" {
            guard let argument = spec.argument(named: key) else {
                report("'\(module)' has no argument '\(key)'", at: location,
                       hint: Suggestion.closest(to: key, in: spec.arguments.map(\.name)).map { "did you mean '\($0)'?" })
                continue
            }
            if let problem = typeProblem(value, argument.type) {
                report("argument '\(key)' of '\(module)' \(problem)", at: location)
            } else if !argument.choices.isEmpty, case .string(let text) = value, !Template.isTemplated(text), !argument.choices.contains(text) {
                report("argument '\(key)' of '\(module)' must be one of \(argument.choices.joined(separator: ", ")), not '\(text)'", at: location)
            }
        }
        let given = Set(arguments.keys.compactMap { spec.argument(named: $0)?.name })
        for argument in spec.arguments where argument.required && !given.contains(argument.name) {
            report("'\(module)' needs the argument '\(argument.name)'", at: location)
        }
        for group in spec.requiredOneOf where group.allSatisfy({ !given.contains($0) }) {
            report("'\(module)' needs one of: \(group.joined(separator: ", "))", at: location)
        }
        for group in spec.mutuallyExclusive where group.filter(given.contains).count > 1 {
            report("'\(module)' takes only one of: \(group.filter(given.contains).joined(separator: ", "))", at: location)
        }
        for (argument, needed) in spec.requiredBy.sorted(by: { $0.key < $1.key }) where given.contains(argument) {
            for missing in needed where !given.contains(missing) {
                report("'\(module)' needs the argument '\(missing)' with '\(argument)'", at: location)
            }
        }
        for rule in spec.requiredIf {
            guard let key = arguments.keys.first(where: { spec.argument(named: $0)?.name == rule.argument }),
                  case .string(let value)? = arguments[key], value == rule.value else { continue }
            for missing in rule.needed where !given.contains(missing) {
                report("'\(module)' needs the argument '\(missing)' with \(rule.argument): \(rule.value)", at: location)
            }
        }
        if spec.freeForm == .command, arguments["_raw_params"] == nil, arguments["cmd"] == nil, arguments["argv"] == nil {
            report("'\(module)' needs a command", at: location, hint: "write '\(module): the command' or give 'cmd'")
        }
    }

    /// `meta: ACTION` names an action the runner knows (a templated one is checked when it runs).
    private func checkMetaAction(_ arguments: OrderedDictionary<String, Value>, at location: SourceLocation) {
        let action = (arguments["_raw_params"]?.text ?? "").trimmingCharacters(in: " ")
        guard !Template.isTemplated(action), !MetaModule.actions.contains(action) else { return }
        report(action.isEmpty ? "'meta' needs an action" : "unknown meta action '\(action)'", at: location,
               hint: Suggestion.closest(to: action, in: MetaModule.actions.sorted()).map { "did you mean '\($0)'?" }
                   ?? "Skiff knows \(MetaModule.actions.sorted().joined(separator: ", "))")
    }

    private func typeProblem(_ value: Value, _ type: ArgumentSpec.ArgumentType) -> String? {
        if case .string(let text) = value, Template.isTemplated(text) { return nil }
        switch (type, value) {
        case (.raw, _), (.string, .string), (.string, .int), (.string, .double), (.string, .bool): return nil
        case (.int, .int): return nil
        case (.int, .string(let text)) where Int(text) != nil: return nil
        case (.bool, .bool): return nil
        case (.bool, .string(let text)) where ["yes", "no", "true", "false", "on", "off", "1", "0"].contains(text.lowercased()): return nil
        case (.list, .list), (.list, .string): return nil
        case (.dict, .dict): return nil
        case (.string, _): return "must be a string, not a \(Self.kind(value))"
        case (.int, _): return "must be a number, not a \(Self.kind(value))"
        case (.bool, _): return "must be true or false, not a \(Self.kind(value))"
        case (.list, _): return "must be a list, not a \(Self.kind(value))"
        case (.dict, _): return "must be a mapping, not a \(Self.kind(value))"
        }
    }

    private static func kind(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .list: return "list"
        case .dict: return "mapping"
        }
    }

    // MARK: Values

    private func variables(_ node: Node, file: String, what: String) -> OrderedDictionary<String, Value> {
        if YAMLValue.isNull(node) { return [:] }
        guard case .dict(let dict)? = try? YAMLValue.value(of: node, file: file) else {
            report("\(what) must be a mapping of names to values", at: location(node, file))
            return [:]
        }
        if case .mapping(let mapping) = node {
            for (key, value) in mapping {
                guard let name = key.string, PortVariable.names.contains(name), let problem = PortVariable.problem(with: dict[name] ?? .null) else { continue }
                report("\(name): \(problem)", at: location(value, file))
            }
        }
        return dict
    }

    private func varsFile(_ path: String, at location: SourceLocation) -> OrderedDictionary<String, Value> {
        guard let node = readYAML(path, from: location) else { return [:] }
        if YAMLValue.isNull(node) { return [:] }
        return variables(node, file: path, what: "vars file \(path)")
    }

    private func stringList(_ node: Node, file: String, what: String) -> [String] {
        if let text = node.string { return [text] }
        guard case .sequence(let items) = node else {
            report("\(what) must be a list of file names", at: location(node, file))
            return []
        }
        return items.compactMap(\.string)
    }

    static func combine(_ outer: Value?, _ inner: Value?) -> Value? {
        guard let outer else { return inner }
        guard let inner else { return outer }
        func list(_ value: Value) -> [Value] { if case .list(let items) = value { return items } else { return [value] } }
        return .list(list(outer) + list(inner))
    }

    /// Parses every templated string below `node` (and conditions as bare expressions), so that a
    /// syntax error or an unknown filter is reported with its line and column before anything runs.
    func checkTemplates(in node: Node, file: String, conditions: Bool = false) {
        switch node {
        case .scalar(let scalar):
            let at = location(node, file)
            do {
                if conditions {
                    if YAMLValue.isNull(node) || node.bool != nil { return }
                    _ = try Condition(scalar.string, location: at)
                    if templateLocations[scalar.string] == nil { templateLocations[scalar.string] = at }
                } else if Template.isTemplated(scalar.string) {
                    _ = try Template(scalar.string, location: at)
                    if templateLocations[scalar.string] == nil { templateLocations[scalar.string] = at }
                }
            } catch let error as TemplateError {
                report(error.message, at: error.location ?? at)
            } catch {
                report("\(error)", at: at)
            }
        case .sequence(let items):
            for item in items { checkTemplates(in: item, file: file, conditions: conditions) }
        case .mapping(let mapping):
            for (_, value) in mapping { checkTemplates(in: value, file: file) }
        case .alias:
            break
        }
    }
}
