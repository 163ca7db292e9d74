/// `fail`: fails the host with `msg`. Runs on the controller (in the runner, which holds the run's variables).
public enum FailModule: Module {
    public static let names = ModuleNames.builtin("fail")
    public static let arguments = ArgumentSpec([.raw("msg")])
    public static let supportsCheckMode = true
    public static let runsOnController = true
}
