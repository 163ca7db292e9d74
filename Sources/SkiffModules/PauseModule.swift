/// `pause`: waits `seconds` or `minutes`. Runs on the controller (in the runner, which holds the run's variables).
public enum PauseModule: Module {
    public static let names = ModuleNames.builtin("pause")
    public static let arguments = ArgumentSpec([.int("seconds"), .int("minutes"), .string("prompt"), .bool("echo")])
    public static let supportsCheckMode = true
    public static let runsOnController = true
}
