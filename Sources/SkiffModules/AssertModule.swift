/// `assert`: fails when one of `that`'s conditions is false. Runs on the controller (in the runner, which holds the run's variables).
public enum AssertModule: Module {
    public static let names = ModuleNames.builtin("assert")
    public static let arguments = ArgumentSpec([.raw("that", required: true), .raw("fail_msg", aliases: ["msg"]), .raw("success_msg"), .bool("quiet")])
    public static let supportsCheckMode = true
    public static let runsOnController = true
}
