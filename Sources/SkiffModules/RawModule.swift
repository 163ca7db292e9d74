/// `raw`: the text sent as it is to the login shell (or run by `EXECUTABLE -c`); see `CommandModule`.
public enum RawModule: Module {
    public static let names = ModuleNames.builtin("raw")
    public static let arguments = ArgumentSpec([.string("executable")], freeForm: .command)

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        try CommandModule.plan(.raw, arguments, environment: context.environment)
    }
}
