import OrderedCollections
import SkiffCore

/// `command` (argv, no shell), `shell` (`/bin/sh -c`, or `EXECUTABLE -c` with `executable`) and `raw`
/// (the text as it is, or `EXECUTABLE -c` with `executable`).
/// `creates`/`removes` skip the command when a path does (not) exist; `chdir`, `stdin`, `environment`.
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
        if kind != .raw, let creates = arguments.string("creates") {
            return ModulePlan(guarded(path: creates, skipIfExists: true, then: run))
        }
        if kind != .raw, let removes = arguments.string("removes") {
            return ModulePlan(guarded(path: removes, skipIfExists: false, then: run))
        }
        return ModulePlan(run)
    }

    /// Runs `test -e PATH` first, and skips the command when the path's existence says so.
    private static func guarded(path: String, skipIfExists: Bool, then run: ModuleProgram) -> ModuleProgram {
        .run(RemoteStep(.argv(["test", "-e", path]))) { result in
            let exists = result.succeeded
            if exists == skipIfExists {
                let reason = skipIfExists ? "skipped, since \(path) exists" : "skipped, since \(path) does not exist"
                return .finish(ModuleOutcome(changed: false, message: reason, result: ["rc": .int(0), "stdout": .string(reason)]))
            }
            return run
        }
    }
}

extension CommandModule: Module {
    public static let names = ModuleNames.builtin("command")
    public static let arguments = ArgumentSpec([
        .string("cmd"), .list("argv"), .string("chdir"), .string("creates"), .string("removes"), .string("stdin"),
        .bool("stdin_add_newline"), .bool("strip_empty_ends"),
    ], freeForm: .command)

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        try plan(.command, arguments, environment: context.environment)
    }
}
