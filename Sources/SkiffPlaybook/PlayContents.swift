import SkiffCore

extension Play {
    /// Everything a play writes, for the checks that read a whole play before the run (the environment
    /// variables it looks up, whether it reads facts): its tasks — pre_tasks, its roles' and included
    /// roles' tasks and handlers, tasks, post_tasks, handlers, blocks opened — and the values around them:
    /// vars, vars files, play keywords, role defaults and vars, block keywords.
    public var contents: (tasks: [Task], values: [Value]) {
        var found: [Task] = []
        var values: [Value] = [.dict(vars), .dict(varsFromFiles), .dict(keywords)]
        func walk(_ items: [TaskItem]) {
            for item in items {
                switch item {
                case .task(let task): found.append(task)
                case .block(let block):
                    values.append(.dict(block.keywords))
                    walk(block.block + block.rescue + block.always)
                }
            }
        }
        for role in roles + includedRoles {
            values += [.dict(role.defaults), .dict(role.vars)]
            walk(role.tasks + role.handlers)
        }
        walk(preTasks + tasks + postTasks + handlers)
        return (found, values)
    }
}
