/// `meta`: `flush_handlers`, `end_play`, … (the action is the free-form text). Runs on the controller (in
/// the runner, which holds the run's variables). An action Skiff does not know is refused when the playbook
/// is loaded, with its file, line and column, before any host is contacted.
public enum MetaModule: Module {
    public static let names = ModuleNames.builtin("meta")
    public static let arguments = ArgumentSpec([], freeForm: .pairs, acceptsAny: true)
    public static let supportsCheckMode = true
    public static let runsOnController = true

    /// The actions the runner carries out (see the runner's `runMeta`).
    public static let actions: Set<String> = [
        "flush_handlers", "end_host", "end_play", "end_batch", "reset_connection", "clear_facts", "noop", "clear_host_errors", "refresh_inventory",
    ]
}
