/// `debug`: prints `msg` or the value of `var`. Runs on the controller (in the runner, which holds the run's variables).
public enum DebugModule: Module {
    public static let names = ModuleNames.builtin("debug")
    public static let arguments = ArgumentSpec([.raw("msg"), .string("var"), .int("verbosity")], mutuallyExclusive: [["msg", "var"]])
    public static let supportsCheckMode = true
    public static let runsOnController = true
}
