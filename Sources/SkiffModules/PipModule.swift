import OrderedCollections
import SkiffCore

/// `pip`: Python packages present (with version specifiers: `name>=1.0,<2`, or `version`), `latest`,
/// `forcereinstall` or `absent`, from `requirements` or names, into a `virtualenv` (created first with
/// `virtualenv_command`, `virtualenv_site_packages` and `virtualenv_python` when it has no `bin/activate`)
/// or with `executable` (else the host's `pip3`, then `pip`), in `chdir`, with `extra_args`. As
/// ansible-core: `pip list --format=freeze` tells what is installed; names already satisfied (or, for
/// `absent`, not installed) run no pip at all, so a second run is ok; otherwise the change is read from
/// pip's "Successfully installed/uninstalled", and for `requirements` from the installed list before and
/// after. Under `--check` nothing is installed nor created: `latest`, `forcereinstall` and `requirements`
/// report a change, names are compared with what is installed. Returns `cmd`, `name`, `requirements`,
/// `version`, `virtualenv`, `state`, `stdout`, `stderr`.
public enum PipModule: Module {
    public static let names = ModuleNames.builtin("pip")
    public static let arguments = ArgumentSpec([
        .list("name"), .string("version"), .string("requirements"), .string("virtualenv"),
        .bool("virtualenv_site_packages"), .string("virtualenv_command", default: "virtualenv"), .string("virtualenv_python"),
        .string("state", choices: ["present", "absent", "latest", "forcereinstall"], default: "present"),
        .string("extra_args"), .bool("editable"), .string("chdir"), .string("executable"), .bool("break_system_packages"),
    ], requiredOneOf: [["name", "requirements"]], mutuallyExclusive: [["name", "requirements"], ["executable", "virtualenv"]])
    public static let supportsCheckMode = true

    /// Prints whether the virtualenv exists (`venv`, `novenv`, or `-` without one), then the pip to use.
    static let probe = #"""
        if [ -n "$1" ]; then if [ -f "$1/bin/activate" ]; then echo venv; else echo novenv; fi; else echo -; fi
        if [ -n "$1" ]; then echo "$1/bin/pip"
        elif [ -n "$2" ]; then command -v -- "$2" || echo "$2"
        else command -v pip3 || command -v pip || { echo "pip is not on the host" >&2; exit 127; }; fi
        """#

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let state = arguments.string("state") ?? "present"
        var requested = PipRequirement.rejoined(arguments.list("name").filter { !$0.isEmpty })
        let version = arguments.string("version")
        if let version {
            guard requested.count == 1 else {
                throw ModuleError("pip: 'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument.")
            }
            guard state != "latest" else { throw ModuleError("pip: version is incompatible with state=latest") }
            if let requirement = PipRequirement(requested[0]), !requirement.specifiers.isEmpty {
                throw ModuleError("pip: the version is given twice: in 'name' (\(requested[0])) and in 'version'")
            }
            requested[0] += "==\(version)"
        }
        let names = requested
        let requirements = arguments.string("requirements")
        let extra = try arguments.string("extra_args").map { text -> [String] in
            do { return try ShellWords.split(text) } catch { throw ModuleError("pip: extra_args has an unclosed quote") }
        } ?? []
        let venvCommand = try ShellWords.split(arguments.string("virtualenv_command") ?? "virtualenv")
        if arguments.string("virtualenv_python") != nil && venvCommand.contains(where: { $0.hasSuffix("venv") && $0 != "virtualenv" && !$0.hasSuffix("/virtualenv") }) {
            throw ModuleError("pip: virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command")
        }
        let venv = arguments.string("virtualenv")
        let chdir = arguments.string("chdir")
        let fields: OrderedDictionary<String, Value> = [
            "name": .list(names.map(Value.string)), "requirements": requirements.map(Value.string) ?? .null,
            "version": version.map(Value.string) ?? .null, "virtualenv": venv.map(Value.string) ?? .null, "state": .string(state),
        ]
        let probeStep = RemoteStep(.argv(["sh", "-c", probe, "sh", venv ?? "", arguments.string("executable") ?? ""]), chdir: chdir)
        return ModulePlan(.run(probeStep) { probed in
            let lines = probed.stdoutText.split(separator: "\n").map(String.init)
            guard probed.succeeded, lines.count == 2 else {
                return .finish(ModuleOutcome(failed: true, message: "pip: \(probed.stderrText.trimmingTrailingNewlines)", result: fields))
            }
            let pip = lines[1]
            let install: @Sendable (Bool) -> ModuleProgram = { created in
                packages(pip: pip, names: names, requirements: requirements, state: state, extra: extra, chdir: chdir,
                         created: created, arguments, fields)
            }
            guard lines[0] == "novenv", let path = venv else { return install(false) }
            if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
            var command = venvCommand
            if arguments.bool("virtualenv_site_packages") { command.append("--system-site-packages") }
            if let python = arguments.string("virtualenv_python") { command += ["-p", python] }
            command.append(path)
            let create = command
            return .run(RemoteStep(.argv(create), chdir: chdir)) { made in
                guard made.succeeded else {
                    let failed = fields.merging(ModuleOutcome.commandFields(made, cmd: .string(ShellQuote.join(create))), uniquingKeysWith: { _, new in new })
                    return .finish(ModuleOutcome(failed: true, message: "Failed to create the virtualenv \(path): \(made.stderrText.trimmingTrailingNewlines)", result: failed))
                }
                return install(true)
            }
        })
    }

    /// Lists what is installed, then installs or removes only when needed.
    static func packages(pip: String, names: [String], requirements: String?, state: String, extra: [String], chdir: String?,
                         created: Bool, _ arguments: ModuleArguments, _ fields: OrderedDictionary<String, Value>) -> ModuleProgram {
        let listing = [pip, "list", "--format=freeze"]
        let parsed = names.map(PipRequirement.init)
        let exact = parsed.allSatisfy { $0 != nil } && requirements == nil && !arguments.bool("editable")
        var argv = [pip] + (state == "absent" ? ["uninstall", "-y"] : ["install"])
        if state == "latest" { argv.append("-U") }
        if state == "forcereinstall" { argv += ["-U", "--force-reinstall"] }
        if arguments.bool("break_system_packages") { argv.append("--break-system-packages") }
        argv += extra
        if let requirements { argv += ["-r", requirements] }
        if arguments.bool("editable") { argv.append("-e") }
        let command = argv
        var base = fields
        base["cmd"] = .string(ShellQuote.join(command + names))
        let result = base
        return .run(RemoteStep(.argv(listing), chdir: chdir)) { listed in
            guard listed.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "Unable to list the installed packages with \(pip): \(listed.stderrText.trimmingTrailingNewlines)", result: result))
            }
            let installed = PipRequirement.installed(listed.stdoutText)
            var chosen = names
            if exact, state == "present" || state == "absent" {
                chosen = zip(names, parsed).filter { name, requirement in
                    guard let requirement else { return true }
                    let satisfied = requirement.isSatisfied(by: installed)
                    return state == "present" ? !satisfied : installed[requirement.name] != nil
                }.map(\.0)
                if chosen.isEmpty { return .finish(ModuleOutcome(changed: created, result: result)) }
            }
            if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: result)) }
            let run = command + chosen
            var ran = result
            ran["cmd"] = .string(ShellQuote.join(run))
            let done = ran
            return .run(RemoteStep(.argv(run), chdir: chdir)) { output in
                var fields = done
                fields["stdout"] = .string(output.stdoutText.trimmingTrailingNewlines)
                fields["stderr"] = .string(output.stderrText.trimmingTrailingNewlines)
                guard output.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: "'\(ShellQuote.join(run))' failed: \(output.stderrText.trimmingTrailingNewlines)", result: fields))
                }
                if state == "absent" {
                    return .finish(ModuleOutcome(changed: created || output.stdoutText.contains("Successfully uninstalled"), result: fields))
                }
                guard requirements != nil else {
                    return .finish(ModuleOutcome(changed: created || output.stdoutText.contains("Successfully installed"), result: fields))
                }
                let after = fields
                return .run(RemoteStep(.argv(listing), chdir: chdir)) { relisted in
                    .finish(ModuleOutcome(changed: created || PipRequirement.installed(relisted.stdoutText) != installed, result: after))
                }
            }
        }
    }
}
