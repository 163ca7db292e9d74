import SkiffCore

/// The keywords Ansible accepts on plays, blocks and tasks (Skiff accepts the same words; the ones it
/// does not act on yet are accepted and documented, never silently misread as a module).
enum TaskKeywords {
    static let task: Set<String> = [
        "name", "action", "local_action", "args", "when", "register", "loop", "loop_control", "until", "retries",
        "delay", "failed_when", "changed_when", "ignore_errors", "ignore_unreachable", "no_log", "notify",
        "environment", "become", "become_user", "become_method", "become_flags", "tags", "timeout", "check_mode",
        "diff", "delegate_to", "delegate_facts", "run_once", "vars", "listen", "any_errors_fatal", "debugger",
        "throttle", "collections", "module_defaults", "connection", "remote_user", "port", "async", "poll",
        "with_items", "with_list", "with_dict", "with_fileglob", "with_sequence", "with_nested", "with_together",
        "with_subelements", "with_indexed_items", "with_random_choice", "with_first_found", "with_lines",
    ]

    static let block: Set<String> = [
        "name", "block", "rescue", "always", "when", "tags", "become", "become_user", "become_method",
        "environment", "ignore_errors", "ignore_unreachable", "vars", "any_errors_fatal", "no_log", "delegate_to",
        "run_once", "check_mode", "diff", "notify", "collections", "module_defaults", "timeout", "throttle",
        "remote_user", "connection", "port", "debugger", "delegate_facts",
    ]

    /// Block keywords every task inside the block takes as its default (besides `when` and `tags`).
    static let inheritedFromBlock: Set<String> = [
        "become", "become_user", "become_method", "environment", "ignore_errors", "ignore_unreachable", "no_log",
        "delegate_to", "run_once", "check_mode", "diff", "timeout", "any_errors_fatal",
    ]

    static let play: Set<String> = [
        "name", "hosts", "vars", "vars_files", "vars_prompt", "tasks", "pre_tasks", "post_tasks", "handlers",
        "roles", "serial", "max_fail_percentage", "any_errors_fatal", "gather_facts", "gather_subset",
        "gather_timeout", "fact_path", "become", "become_user", "become_method", "environment", "tags",
        "ignore_unreachable", "ignore_errors", "remote_user", "connection", "order", "strategy",
        "force_handlers", "module_defaults", "collections", "run_once", "no_log", "port", "check_mode", "diff",
        "throttle", "timeout", "debugger",
    ]

    /// Task-list entries that pull in another task file.
    static let includes: Set<String> = [
        "import_tasks", "include_tasks", "ansible.builtin.import_tasks", "ansible.builtin.include_tasks",
        "ansible.legacy.import_tasks", "ansible.legacy.include_tasks", "include",
    ]

    static let roleIncludes: Set<String> = [
        "import_role", "include_role", "ansible.builtin.import_role", "ansible.builtin.include_role",
    ]

    /// Keywords whose values are bare conditions.
    static let conditions: Set<String> = ["when", "failed_when", "changed_when", "until"]

    /// A keyword's value as a list of strings (`tags: web` or `tags: [web, db]`).
    static func stringList(_ value: Value?) -> [String] {
        switch value {
        case .string(let text)?: return text.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }
        case .list(let items)?: return items.map(\.text)
        case nil: return []
        case let other?: return [other.text]
        }
    }
}
