/// `--tags` and `--skip-tags` as Skiff applies them: a task tagged `always` runs whatever they say,
/// `never` runs only when one of its tags is asked for, `all` selects everything.
public struct TagFilter: Sendable, Equatable {
    public let only: Set<String>
    public let skip: Set<String>

    public init(only: Set<String> = [], skip: Set<String> = []) {
        self.only = only
        self.skip = skip
    }

    /// Whether `task` (with its play's tags) runs.
    public func selects(_ task: Task, in play: Play) -> Bool {
        let tags = Set(task.tags + play.tags)
        if !skip.isEmpty && !tags.isDisjoint(with: skip) && !tags.contains("always") { return false }
        if tags.contains("never") && tags.isDisjoint(with: only) { return false }
        if only.isEmpty || only.contains("all") || tags.contains("always") { return true }
        return !tags.isDisjoint(with: only)
    }
}
