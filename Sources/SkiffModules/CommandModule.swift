import OrderedCollections
import SkiffCore

/// `command` (argv, no shell), `shell` (`/bin/sh -c`, or `EXECUTABLE -c` with `executable`) and `raw`
/// (the text as it is, or `EXECUTABLE -c` with `executable`).
/// `creates`/`removes` skip the command when a path or glob does (not) match, relative to `chdir` as in
/// Ansible; `chdir`, `stdin`, `environment`.
public enum CommandModule {
    public enum Kind: Sendable { case command, shell, raw }

    public static func plan(_ kind: Kind, _ arguments: ModuleArguments, environment: OrderedDictionary<String, String>) throws -> ModulePlan {
        let text = arguments.string("_raw_params") ?? arguments.string("cmd")
        let chdir = arguments.string("chdir")
        // `executable: /bin/bash`: the text runs as `/bin/bash -c TEXT` (its path and the text are quoted
        // words, so nothing is interpreted twice); the environment still travels on stdin (`RemoteStep.wire`).
        let executable = arguments.string("executable").flatMap { $0.isEmpty ? nil : $0 }
        let stdin = arguments.string("stdin").map { input in
            Sensitive(Array((input + (arguments.bool("stdin_add_newline", default: true) ? "\n" : "")).utf8))
        }
        let step: RemoteStep
        let cmd: Value
        switch kind {
        case .command:
            var argv = arguments.values["argv"].flatMap { value -> [String]? in
                if case .list(let items) = value { return items.map(\.text) } else { return nil }
            }
            if argv == nil, let text {
                do {
                    argv = try ShellWords.split(text)
                } catch {
                    throw ModuleError("command: unclosed quote in '\(text)'")
                }
            }
            guard let argv, !argv.isEmpty else { throw ModuleError("command: no command given") }
            step = RemoteStep(.argv(argv), environment: environment, chdir: chdir, stdin: stdin)
            cmd = .list(argv.map(Value.string))
        case .shell:
            guard let text, !text.isEmpty else { throw ModuleError("shell: no command given") }
            let command: RemoteStep.Command = executable.map { .argv([$0, "-c", text]) } ?? .shell(text)
            step = RemoteStep(command, environment: environment, chdir: chdir, stdin: stdin)
            cmd = .string(text)
        case .raw:
            guard let text, !text.isEmpty else { throw ModuleError("raw: no command given") }
            step = RemoteStep(executable.map { .argv([$0, "-c", text]) } ?? .raw(text), environment: environment)
            cmd = .string(text)
        }
        let run = ModuleProgram.run(step) { result in
            let fields = ModuleOutcome.commandFields(result, cmd: cmd)
            let failed = !result.succeeded
            let message = failed ? (result.exitStatus == nil ? "killed by signal \(result.termination)" : "non-zero return code") : nil
            return .finish(ModuleOutcome(changed: true, failed: failed, message: message, result: fields))
        }
        let creates = kind == .raw ? nil : arguments.string("creates")
        let removes = kind == .raw ? nil : arguments.string("removes")
        if arguments.checkMode && creates == nil && removes == nil {
            return ModulePlan(.finish(ModuleOutcome(skipped: true, message: wouldRun, result: ["cmd": cmd, "rc": .int(0)])))
        }
        let next = arguments.checkMode
            ? ModuleProgram.finish(ModuleOutcome(changed: true, message: wouldRun, result: ["cmd": cmd, "rc": .int(0)]))
            : run
        if kind == .raw || (chdir == nil && creates == nil && removes == nil) { return ModulePlan(next) }
        return ModulePlan(guarded(chdir: chdir, creates: creates, removes: removes, cmd: cmd, checkMode: arguments.checkMode, then: next))
    }

    static let wouldRun = "Command would have run if not in check mode"

    /// As Ansible: in `chdir` (which must exist), `creates` (a path or glob) that matches skips the
    /// command, then `removes` that matches nothing skips it; a skipped command is ok, not changed.
    /// The patterns are expanded by the host's shell as globs only (`IFS` empty, nothing else is evaluated).
    static func guarded(chdir: String?, creates: String?, removes: String?, cmd: Value, checkMode: Bool, then run: ModuleProgram) -> ModuleProgram {
        let script = """
            if [ -n "$1" ]; then cd "$1" 2>/dev/null || { echo chdir; exit 0; }; fi
            IFS=
            matches() { for f in $1; do if [ -e "$f" ] || [ -L "$f" ]; then return 0; fi; done; return 1; }
            if [ -n "$2" ] && matches "$2"; then echo creates; exit 0; fi
            if [ -n "$3" ] && ! matches "$3"; then echo removes; exit 0; fi
            echo run
            """
        let directory = chdir.map { $0.hasPrefix("-") ? "./" + $0 : $0 } ?? ""
        let probe = RemoteStep(.argv(["sh", "-c", script, "sh", directory, creates ?? "", removes ?? ""]))
        return .run(probe) { result in
            let verb = checkMode ? "Would" : "Did"
            var fields: OrderedDictionary<String, Value> = ["cmd": cmd, "rc": .int(0), "stdout": .string(""), "stderr": .string("")]
            switch result.stdoutText.trimmingTrailingNewlines {
            case "run":
                return run
            case "creates":
                let stdout = "skipped, since \(creates ?? "") exists"
                fields["stdout"] = .string(stdout)
                fields["stdout_lines"] = .list([.string(stdout)])
                return .finish(ModuleOutcome(message: "\(verb) not run command since '\(creates ?? "")' exists", result: fields))
            case "removes":
                let stdout = "skipped, since \(removes ?? "") does not exist"
                fields["stdout"] = .string(stdout)
                fields["stdout_lines"] = .list([.string(stdout)])
                return .finish(ModuleOutcome(message: "\(verb) not run command since '\(removes ?? "")' does not exist", result: fields))
            case "chdir":
                fields["rc"] = .null
                return .finish(ModuleOutcome(failed: true, message: "Unable to change directory before execution.", result: fields))
            default:
                return .finish(ModuleOutcome(
                    failed: true, message: "cannot check creates/removes: \(result.stderrText.trimmingTrailingNewlines)", result: fields))
            }
        }
    }
}

extension CommandModule: Module {
    public static let names = ModuleNames.builtin("command")
    public static let arguments = ArgumentSpec([
        .string("cmd"), .list("argv"), .string("chdir"), .string("creates"), .string("removes"), .string("stdin"),
        .bool("stdin_add_newline"), .bool("strip_empty_ends"),
    ], freeForm: .command)
    /// Under `--check` a command runs nothing: with `creates`/`removes` it says whether it would run
    /// (changed) or not (ok), without them it is skipped.
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        try plan(.command, arguments, environment: context.environment)
    }
}
