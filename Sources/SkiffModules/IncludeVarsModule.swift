/// `include_vars`: known by name and arguments, so playbooks that use it load; it cannot run yet.
public enum IncludeVarsModule: Module {
    public static let names = ModuleNames.builtin("include_vars")
    public static let arguments = ArgumentSpec([.string("file"), .string("name")], freeForm: .pairs, acceptsAny: true)
}
