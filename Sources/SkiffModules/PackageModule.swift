/// `package`: `name` and `state` (present, absent, latest) through the host's package manager, as
/// Ansible picks it by `ansible_pkg_mgr`: `apt` where `apt-get` is, `dnf` where `dnf` or `yum` is (or
/// as `use` says); other managers are not supported yet (the task fails saying which one the host has).
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
        let dnf = try DnfModule.plan(
            ModuleArguments(DnfModule.arguments.normalized(values), module: "package", checkMode: arguments.checkMode), context)
        switch use {
        case "apt": return apt
        case "dnf", "yum", "dnf5": return dnf
        case "auto": break
        default: throw ModuleError("package: use: '\(use)' is not supported yet (apt, dnf, yum)")
        }
        return ModulePlan(.run(RemoteStep(.argv(["sh", "-c", probe]))) { found in
            switch found.stdoutText.trimmingTrailingNewlines {
            case "apt-get": return apt.program
            case "dnf", "yum": return dnf.program
            case let manager:
                return .finish(ModuleOutcome(failed: true, message: "package: the host's package manager (\(manager)) is not supported yet; Skiff supports apt, dnf and yum"))
            }
        }, abortCleanup: apt.abortCleanup)
    }
}
