/// `template`: the source file (in the role's `templates/` first, then beside the playbook) rendered on
/// the controller with the task's variables, then written as `copy` writes content.
public enum TemplateModule: Module {
    public static let names = ModuleNames.builtin("template")
    public static let arguments = ArgumentSpec([
        .string("src", required: true), .string("dest", required: true), .raw("mode"), .string("owner"), .string("group"),
        .bool("backup"), .bool("force"), .string("validate"),
    ])
    public static let supportsCheckMode = true
    public static let supportsDiff = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let source = try context.files.locate(try arguments.required("src"), kind: "templates")
        var withContent = arguments.values
        withContent["content"] = .string(try context.files.render(templateAt: source))
        withContent["src"] = nil
        return try CopyModule.plan(
            ModuleArguments(withContent, module: "template", checkMode: arguments.checkMode, diff: arguments.diff), local: nil)
    }
}
