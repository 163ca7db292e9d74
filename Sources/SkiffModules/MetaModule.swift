/// `meta`: `flush_handlers`, `end_play`, … (the action is the free-form text). Runs on the controller (in the runner, which holds the run's variables).
public enum MetaModule: Module {
    public static let names = ModuleNames.builtin("meta")
    public static let arguments = ArgumentSpec([], freeForm: .pairs, acceptsAny: true)
    public static let supportsCheckMode = true
    public static let runsOnController = true
}
