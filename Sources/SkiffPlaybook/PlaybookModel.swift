import OrderedCollections
import SkiffCore

/// A parsed playbook: its plays in order (imported playbooks inlined).
public struct Playbook: Sendable {
    public let path: String
    public internal(set) var plays: [Play]
    /// Where each templated string of the playbook and the files it pulls in is first written, for
    /// checks that find a problem in a string after loading (`file:line:column`).
    public internal(set) var templateLocations: [String: SourceLocation] = [:]
}

/// One play: which hosts, which variables, which tasks.
public struct Play: Sendable {
    public var name: String?
    /// The host pattern (may hold `{{ }}`, resolved when the play runs); a YAML list is joined with commas.
    public var hosts: String
    /// The pattern entries as written (one for a string, several for a YAML list).
    public var hostEntries: [String] = []
    public var vars: OrderedDictionary<String, Value> = [:]
    public var varsFiles: [String] = []
    /// `vars_prompt`: variables asked for before the run starts (their answers go into `vars`).
    public var prompts: [VariablePrompt] = []
    /// Variables whose values are secrets although their names do not say so (private prompts' answers).
    public var secretVariables: Set<String> = []
    /// The variables of `vars_files` whose names hold no template, read when the playbook is loaded
    /// (in order; later files win). Templated names are read when the play runs.
    public var varsFromFiles: OrderedDictionary<String, Value> = [:]
    public var preTasks: [TaskItem] = []
    public var tasks: [TaskItem] = []
    public var postTasks: [TaskItem] = []
    public var handlers: [TaskItem] = []
    /// The play's `roles:`, dependencies first, each once; their tasks run after `pre_tasks`.
    public var roles: [Role] = []
    /// Roles whose tasks import_role/include_role placed inside the task lists (for their variables and handlers).
    public var includedRoles: [Role] = []
    /// Other keywords (`serial`, `gather_facts`, `become`, `tags`, …) as written.
    public var keywords: OrderedDictionary<String, Value> = [:]
    public let location: SourceLocation
    /// The directory of the file the play came from (for relative paths).
    public let directory: String

    /// `gather_facts` defaults to true, as in Ansible.
    public var gatherFacts: Bool { keywords["gather_facts"].map { $0 != .bool(false) && $0 != .string("no") } ?? true }

    public var tags: [String] { TaskKeywords.stringList(keywords["tags"]) }

    /// The task lists in the order they run: pre_tasks, the roles' tasks, tasks, post_tasks.
    public var runOrder: [TaskItem] { preTasks + roles.flatMap(\.tasks) + tasks + postTasks }

    /// Every task of the play, blocks flattened (block, rescue, always), without handlers.
    public var allTasks: [Task] { runOrder.flatMap(\.flattened) }

    /// The tasks ansible-playbook's `--list-tasks` shows: blocks' main parts only (not rescue/always).
    public var listedTasks: [Task] { runOrder.flatMap(\.mainPath) }
}

/// A task or a block, as they appear in a task list.
public indirect enum TaskItem: Sendable {
    case task(Task)
    case block(Block)

    public var flattened: [Task] {
        switch self {
        case .task(let task): return [task]
        case .block(let block): return (block.block + block.rescue + block.always).flatMap(\.flattened)
        }
    }

    /// The tasks that run when nothing fails.
    var mainPath: [Task] {
        switch self {
        case .task(let task): return [task]
        case .block(let block): return block.block.flatMap(\.mainPath)
        }
    }
}

/// `block`/`rescue`/`always`, with keywords that apply to every task inside.
public struct Block: Sendable {
    public var name: String?
    public var block: [TaskItem]
    public var rescue: [TaskItem]
    public var always: [TaskItem]
    public var keywords: OrderedDictionary<String, Value>
    public let location: SourceLocation
}

/// One task: a module with its arguments, and the keywords that control it.
public struct Task: Sendable {
    public var name: String?
    /// The module's canonical name (`ansible.builtin.shell`).
    public var module: String
    /// The module as the playbook wrote it (`shell`, `community.docker.docker_login`).
    public var moduleAsWritten: String
    public var arguments: OrderedDictionary<String, Value>
    /// `when`, `register`, `loop`, `notify`, `tags`, … as written (block keywords already applied).
    public var keywords: OrderedDictionary<String, Value>
    public let location: SourceLocation
    /// The role the task belongs to: its variables apply, and `copy`/`template` look in its
    /// `files/`/`templates/` first.
    public var role: RoleReference?
    /// The task names a module Skiff does not have: an error before the run when the task can run.
    public var unknownModule: Diagnostic?

    /// The name shown in output: `role : name` for role tasks, else the name, else the module as written.
    public var displayName: String {
        let base = name ?? moduleAsWritten
        return role.map { "\($0.name) : \(base)" } ?? base
    }

    public var tags: [String] { TaskKeywords.stringList(keywords["tags"]) }
}

/// A role used by a play: its tasks, handlers and variables, read from `roles/NAME/`.
public struct Role: Sendable {
    public let name: String
    public let path: String
    /// `defaults/main.yml`: the lowest precedence of all variables.
    public var defaults: OrderedDictionary<String, Value>
    /// `vars/main.yml`, plus the `vars:` given where the role is used.
    public var vars: OrderedDictionary<String, Value>
    public var tasks: [TaskItem]
    public var handlers: [TaskItem]
}

/// Which role a task came from.
public struct RoleReference: Sendable, Equatable {
    public let name: String
    public let path: String
}
