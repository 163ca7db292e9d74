#if canImport(Glibc)
import Glibc
#endif

/// `--start-at-task NAME`, as ansible-playbook applies it: the run begins at the first task (in run
/// order, over all playbooks and plays) whose name is NAME or matches it as a shell wildcard (`*`, `?`,
/// `[…]`), as written or as shown (`role : name`). Plays before that task's play are left out; in its
/// play, the tasks before it are left out — a block around it keeps its `always`, blocks before it are
/// left out whole. Facts are still gathered, handlers and every later play run as usual. Tasks that
/// `--tags`/`--skip-tags` leave out are never the start; nor is a task inside `rescue`, which a run that
/// starts from the top reaches only after a failure.
public struct StartAtTask: Sendable {
    public let pattern: String
    public let tags: TagFilter

    public init(_ pattern: String, tags: TagFilter = TagFilter()) {
        self.pattern = pattern
        self.tags = tags
    }

    public func matches(_ task: Task) -> Bool {
        [task.name, task.displayName].contains { name in
            guard let name else { return false }
            return name == pattern || fnmatch(pattern, name, 0) == 0
        }
    }

    /// The playbooks from the first matching task on; an error, before any host is contacted, when no
    /// task matches.
    public func apply(to playbooks: [Playbook]) throws -> [Playbook] {
        var result: [Playbook] = []
        var found = false
        for var playbook in playbooks {
            if found {
                result.append(playbook)
                continue
            }
            var plays: [Play] = []
            for play in playbook.plays {
                if found {
                    plays.append(play)
                } else if let trimmed = trim(play) {
                    plays.append(trimmed)
                    found = true
                }
            }
            playbook.plays = plays
            result.append(playbook)
        }
        guard found else {
            throw PlaybookError(diagnostics: [Diagnostic(
                "--start-at-task '\(pattern)': no task of \(playbooks.map(\.path).joined(separator: ", ")) has this name",
                at: nil,
                hint: "names are matched as written, or as 'role : name' for a role's tasks, with * ? [] wildcards; "
                    + "--list-tasks shows them; tasks left out by --tags/--skip-tags or inside rescue cannot be the start")])
        }
        return result
    }

    /// The play from the matching task on, or nil when none of its tasks matches.
    private func trim(_ play: Play) -> Play? {
        var play = play
        if let tasks = trim(play.preTasks, in: play) {
            play.preTasks = tasks
            return play
        }
        play.preTasks = []
        for index in play.roles.indices {
            if let tasks = trim(play.roles[index].tasks, in: play) {
                play.roles[index].tasks = tasks
                return play
            }
            play.roles[index].tasks = []
        }
        if let tasks = trim(play.tasks, in: play) {
            play.tasks = tasks
            return play
        }
        play.tasks = []
        if let tasks = trim(play.postTasks, in: play) {
            play.postTasks = tasks
            return play
        }
        return nil
    }

    /// The items from the matching task on, or nil when none of them holds it.
    private func trim(_ items: [TaskItem], in play: Play) -> [TaskItem]? {
        for (index, item) in items.enumerated() {
            let rest = Array(items[(index + 1)...])
            switch item {
            case .task(let task):
                if matches(task) && tags.selects(task, in: play) { return [item] + rest }
            case .block(var block):
                if let inner = trim(block.block, in: play) {
                    block.block = inner
                    return [.block(block)] + rest
                }
                if let inner = trim(block.always, in: play) {
                    block.block = []
                    block.rescue = []
                    block.always = inner
                    return [.block(block)] + rest
                }
            }
        }
        return nil
    }
}
