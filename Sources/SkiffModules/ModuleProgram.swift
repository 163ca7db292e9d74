import OrderedCollections
import SkiffCore

/// What a module does, as data: run this, then decide from its result what comes next; upload that;
/// finish with an outcome. The runner walks it over a connection; tests walk it with scripted results.
public indirect enum ModuleProgram: Sendable {
    case run(RemoteStep, then: @Sendable (CommandResult) -> ModuleProgram)
    case upload(UploadStep, then: @Sendable () -> ModuleProgram)
    case finish(ModuleOutcome)
}

/// A module's program plus the commands that must run if the task is aborted half-way (a cancelled
/// run, a lost upload): removing temporary files and credentials.
public struct ModulePlan: Sendable {
    public var program: ModuleProgram
    public var abortCleanup: [RemoteStep]
    /// The longest each command may take (`setup`'s `gather_timeout`); the task's `timeout` when shorter.
    public var timeout: Duration?

    public init(_ program: ModuleProgram, abortCleanup: [RemoteStep] = [], timeout: Duration? = nil) {
        self.program = program
        self.abortCleanup = abortCleanup
        self.timeout = timeout
    }
}

/// How a task ended on one host, and what `register` stores.
public struct ModuleOutcome: Sendable, Equatable {
    public var changed: Bool
    public var failed: Bool
    public var skipped: Bool
    public var message: String?
    /// Module-specific results: `rc`, `stdout`, `stderr`, `stdout_lines`, `cmd`, `dest`, `checksum`, …
    public var result: OrderedDictionary<String, Value>
    /// Under `--diff`: what changed in a file, as a unified diff.
    public var diff: String?
    /// What the console shows for the result instead of its message (`debug: var=x`: `{"x": VALUE}`).
    public var shown: String?

    public init(changed: Bool = false, failed: Bool = false, skipped: Bool = false, message: String? = nil,
                result: OrderedDictionary<String, Value> = [:], diff: String? = nil) {
        self.diff = diff
        self.changed = changed
        self.failed = failed
        self.skipped = skipped
        self.message = message
        self.result = result
    }

    /// The registered value: the module's results plus `changed`, `failed`, `skipped`, `msg`.
    public var registered: Value {
        var dict = result
        dict["changed"] = .bool(changed)
        dict["failed"] = .bool(failed)
        if skipped { dict["skipped"] = .bool(true) }
        if let message { dict["msg"] = .string(message) }
        return .dict(dict)
    }

    /// The usual fields of a command's result.
    static func commandFields(_ result: CommandResult, cmd: Value) -> OrderedDictionary<String, Value> {
        let stdout = result.stdoutText.trimmingTrailingNewlines
        let stderr = result.stderrText.trimmingTrailingNewlines
        return [
            "cmd": cmd, "rc": .int(Int(result.exitStatus ?? -1)), "stdout": .string(stdout), "stderr": .string(stderr),
            "stdout_lines": .list(stdout.isEmpty ? [] : stdout.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) }),
            "stderr_lines": .list(stderr.isEmpty ? [] : stderr.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) }),
            "delta": .string(String.delta(result.duration)),
        ]
    }
}

/// How a file's content would change, for `--diff`: reads the current content (at most 1 MiB) and
/// compares it with the new one. `next` receives the diff text, or nil when there is none to show.
enum ContentDiff {
    static let limit = 1 << 20

    static func then(_ path: String, exists: Bool, after: String?, _ next: @escaping @Sendable (String?) -> ModuleProgram) -> ModuleProgram {
        guard let after else { return next(nil) }
        guard exists else { return next(UnifiedDiff.render(before: "", after: after, path: path)) }
        return .run(RemoteStep(.argv(["head", "-c", String(limit + 1), "--", path]))) { result in
            guard result.succeeded, result.stdout.count <= limit else { return next("(\(path) is too large to show a diff)\n") }
            return next(UnifiedDiff.render(before: result.stdoutText, after: after, path: path))
        }
    }
}

/// A task's arguments could not be used (missing, wrong type, contradictory).
public struct ModuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
        return String(text)
    }

    /// `0:00:01.234567`, as Ansible's `delta`.
    static func delta(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = String(attoseconds / 1_000_000_000_000)
        let minutes = (seconds % 3600) / 60
        let secs = seconds % 60
        let padding = String(repeating: "0", count: Swift.max(0, 6 - micros.count))
        return "\(seconds / 3600):\(minutes < 10 ? "0" : "")\(minutes):\(secs < 10 ? "0" : "")\(secs).\(padding)\(micros)"
    }
}
