/// `shell`: the text run by `/bin/sh -c` (or `EXECUTABLE -c` with `executable`); see `CommandModule`.
public enum ShellModule: Module {
    public static let names = ModuleNames.builtin("shell")
    public static let arguments = ArgumentSpec([
        .string("cmd"), .string("chdir"), .string("creates"), .string("removes"), .string("executable"), .string("stdin"),
        .bool("stdin_add_newline"),
    ], freeForm: .command)
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        try CommandModule.plan(.shell, arguments, environment: context.environment)
    }
}
