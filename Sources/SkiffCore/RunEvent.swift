/// How a task ended on one host. `locked`: the host's deploy lock is another run's (or deploys are frozen
/// there), so nothing ran on it; that is not a failure of the deploy.
public enum TaskStatus: String, Sendable, Equatable {
    case ok, changed, failed, skipped, unreachable, rescued, ignored, locked
}

/// What happened during a run, in order; the console, JSON lines and the audit log all read these.
public enum RunEvent: Sendable {
    case playStarted(name: String, pattern: String, hosts: [String])
    /// The first host starts a task (Skiff's hosts run their tasks independently).
    case taskStarted(name: String)
    case hostResult(HostResult)
    /// A command sent to a host (or a file upload), secrets masked; `-vvv` shows them.
    case command(host: String, line: String)
    /// The text of a file uploaded to a host (at most 64 KiB of UTF-8, secrets masked), for the audit
    /// log: `audit diff` shows how a compose file changed between two deploys. `sha256` is the content's.
    case uploaded(host: String, destination: String, sha256: String, text: String)
    /// A block's rescue succeeded on this host: its earlier failure counts as rescued, not failed.
    case rescued(host: String)
    /// The deploy lock on a host: acquired, waiting, refused, stale, broken, released, lost.
    case lock(host: String, action: String, detail: String?)
    /// Hosts that matched no task, an unmatched pattern, a warning.
    case warning(String)
    /// Something worth knowing at `-v` (facts not gathered because no task reads them).
    case note(String)
    case recap([HostRecap])
}

/// One task's result on one host. `message`, `stdout` and `stderr` are already redacted for `no_log`.
public struct HostResult: Sendable {
    public var host: String
    public var task: String
    public var status: TaskStatus
    public var message: String?
    public var rc: Int?
    public var stdout: String?
    public var stderr: String?
    /// The item, for a loop iteration (the loop's overall result follows its items, with `loopItems`).
    public var item: String?
    /// For a looped task's overall result: how many items it ran. The recap counts this result, not the items'.
    public var loopItems: Int?
    /// Under `--diff`: how the task changed a file (unified diff).
    public var diff: String?
    public var duration: Duration
    /// A compose project this task brought up (for the audit log's `deployed` records).
    public var deployment: Deployment?
    /// The output of a `no_log` task, which no one sees; the audit log keeps only its fingerprint.
    public var hiddenOutput: Sensitive<String>?
    /// What the console shows after `=>` for a result that is a value rather than a message (`debug: var=x`
    /// shows `{"x": VALUE}`, as ansible-playbook does), secrets masked.
    public var shown: String?

    public init(host: String, task: String, status: TaskStatus, message: String? = nil, rc: Int? = nil,
                stdout: String? = nil, stderr: String? = nil, item: String? = nil, diff: String? = nil, duration: Duration = .zero) {
        self.diff = diff
        self.host = host
        self.task = task
        self.status = status
        self.message = message
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.item = item
        self.duration = duration
    }
}

/// A compose project started on a host: its name, the `VERSION` it was started with, and its images
/// when compose said which.
public struct Deployment: Sendable, Equatable {
    public var project: String
    public var version: String?
    public var images: [String]

    public init(project: String, version: String?, images: [String] = []) {
        self.project = project
        self.version = version
        self.images = images
    }
}

/// A host's counts at the end of a run.
public struct HostRecap: Sendable, Equatable {
    public var host: String
    public var ok = 0
    public var changed = 0
    public var unreachable = 0
    public var failed = 0
    public var skipped = 0
    public var rescued = 0
    public var ignored = 0
    /// 1 when the host's deploy lock could not be taken (no task ran there).
    public var locked = 0
    public var duration: Duration = .zero

    public init(host: String) { self.host = host }

    public mutating func count(_ status: TaskStatus) {
        switch status {
        case .ok: ok += 1
        case .changed: ok += 1; changed += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        case .unreachable: unreachable += 1
        case .rescued: rescued += 1
        case .ignored: ignored += 1; ok += 1
        case .locked: locked += 1
        }
    }

    /// The exit status of a run whose only trouble was deploy locks it could not take (held by another
    /// run, or deploys frozen): sysexits' EX_TEMPFAIL, "try again later".
    public static let lockRefusedExitCode: Int32 = 75

    /// Exit status: 4 when any host was unreachable, 2 when any failed, 75 when a host's deploy lock
    /// could not be taken, else 0.
    public static func exitCode(_ recaps: [HostRecap]) -> Int32 {
        if recaps.contains(where: { $0.unreachable > 0 }) { return 4 }
        if recaps.contains(where: { $0.failed > 0 }) { return 2 }
        if recaps.contains(where: { $0.locked > 0 }) { return lockRefusedExitCode }
        return 0
    }
}
