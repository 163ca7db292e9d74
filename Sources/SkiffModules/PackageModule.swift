/// `package`: `name` and `state` (present, absent, latest) through the host's package manager, as
/// Ansible picks it by `ansible_pkg_mgr`: `apt` where `apt-get` is; other managers are not supported yet
/// (the task fails saying which one the host has).
public enum PackageModule: Module {
    public static let names = ModuleNames.builtin("package")
    public static let arguments = ArgumentSpec([
        .list("name", required: true), .string("state", choices: ["present", "absent", "latest", "installed", "removed"]),
        .string("use", default: "auto"),
    ])
    public static let supportsCheckMode = true

    static let probe = """
        for m in apt-get dnf yum zypper apk pacman; do if command -v "$m" >/dev/null 2>&1; then echo "$m"; exit 0; fi; done
        echo none
        """

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        var values = arguments.values.filter { $0.key == "name" }
        switch arguments.string("state") ?? "present" {
        case "installed", "present": values["state"] = .string("present")
        case "removed", "absent": values["state"] = .string("absent")
        default: values["state"] = .string("latest")
        }
        let use = arguments.string("use") ?? "auto"
        let apt = try AptModule.plan(
            ModuleArguments(AptModule.arguments.normalized(values), module: "package", checkMode: arguments.checkMode), context)
        if use == "apt" { return apt }
        guard use == "auto" else { throw ModuleError("package: use: '\(use)' is not supported yet (only apt)") }
        return ModulePlan(.run(RemoteStep(.argv(["sh", "-c", probe]))) { found in
            let manager = found.stdoutText.trimmingTrailingNewlines
            guard manager == "apt-get" else {
                return .finish(ModuleOutcome(failed: true, message: "package: the host's package manager (\(manager)) is not supported yet; Skiff supports apt"))
            }
            return apt.program
        }, abortCleanup: apt.abortCleanup)
    }
}
