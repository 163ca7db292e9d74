/// The loop keywords Skiff runs (`loop` and the `with_*` lookups it gives the same items as Ansible),
/// and the `with_*` forms it refuses before the run instead of running the task once without items.
public enum TaskLoops {
    public static let keywords: Set<String> = [
        "loop", "with_items", "with_list", "with_dict", "with_indexed_items", "with_together", "with_nested",
    ]

    /// Refused with this hint: each needs a lookup Skiff does not have.
    static let unsupported: [String: String] = [
        "with_fileglob": "list the files under 'loop:'",
        "with_sequence": "use 'loop: \"{{ range(1, 6) }}\"' (1 to 5)",
        "with_subelements": "loop over the outer list with include_tasks, and over the inner one in the included file",
        "with_random_choice": "choose the value before the run and pass it with -e",
        "with_first_found": "use 'stat' on the candidates and 'when:'",
        "with_lines": "run the command in a task, 'register:' it, and 'loop: \"{{ result.stdout_lines }}\"'",
    ]
}
