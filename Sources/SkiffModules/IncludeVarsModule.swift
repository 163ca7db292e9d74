/// `include_vars`: runs on the controller (in the runner, which reads the files and keeps the host's variables).
public enum IncludeVarsModule: Module {
    public static let names = ModuleNames.builtin("include_vars")
    public static let arguments = ArgumentSpec([.string("file"), .string("name")], freeForm: .pairs, acceptsAny: true)
}
