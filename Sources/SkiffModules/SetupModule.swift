/// `setup` as a task: known by name and arguments, so playbooks that use it load; it cannot run yet
/// (facts are gathered by the play's `gather_facts`).
public enum SetupModule: Module {
    public static let names = ModuleNames.builtin("setup")
    public static let arguments = ArgumentSpec([.raw("gather_subset"), .raw("filter")])
}
