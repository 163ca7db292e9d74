/// `set_fact`: sets host variables; its arguments are the names it sets. Runs on the controller (in the runner, which holds the run's variables).
public enum SetFactModule: Module {
    public static let names = ModuleNames.builtin("set_fact")
    public static let arguments = ArgumentSpec([.bool("cacheable")], freeForm: .pairs, acceptsAny: true)
    public static let supportsCheckMode = true
    public static let runsOnController = true
}
