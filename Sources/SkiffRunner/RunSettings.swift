import OrderedCollections
import SkiffCore
import SkiffPlaybook
import Synchronization

/// Set when the run is asked to stop (SIGINT/SIGTERM): no new task starts, `always` sections still run.
public final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)
    private let waiters = Mutex<(next: Int, waiting: [Int: CheckedContinuation<Void, Never>])>((0, [:]))

    public init() {}

    public func request() {
        flag.store(true, ordering: .relaxed)
        let woken = waiters.withLock { state in
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in woken { waiter.resume() }
    }

    public var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Returns once a stop is requested (at once when it already was), or when the calling task is cancelled.
    public func requested() async {
        let id = waiters.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = waiters.withLock { state -> Bool in
                    guard !isRequested, !_Concurrency.Task.isCancelled else { return false }
                    state.waiting[id] = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            waiters.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
        }
    }
}

/// What a whole run shares: the options from the command line.
public struct RunSettings: Sendable {
    public var forks: Int
    public var checkMode: Bool
    public var extraVars: OrderedDictionary<String, Value>
    public var limit: Set<String>?
    public var tags: TagFilter
    /// Unique per run: names temporary directories on hosts.
    public var runID: String
    public var stop: StopRequest
    /// `-b`: every task uses become unless it says otherwise; `--become-user` and `-K` fill `becomeAs`.
    public var become: Bool
    public var becomeAs: Become
    /// The login user the command line or configuration names (`-u`, `SKIFF_REMOTE_USER`, ansible.cfg's
    /// `remote_user`); nil when none does. A host's `ansible_user` wins over it.
    public var remoteUser: String?
    /// `-D`: changed files show what changed.
    public var diff: Bool
    /// The deploy lock each host is taken under (nil: `--no-lock`).
    public var lock: LockSettings?
    /// `--step`: asked before each task first starts (nil: every task runs).
    public var step: StepConfirmation?
    /// Awaited before each task starts on a host (the audit log: earlier records are on disk first).
    public var beforeTask: (@Sendable () async -> Void)?
    /// Called for each host the run reached, after its last play and before its lock is released, over
    /// its connection (`--audit-remote`: the host's own audit log); a message fails the host.
    public var finishHost: (@Sendable (_ recap: HostRecap, _ connection: any HostConnection) async -> String?)?
    /// Names declared secret for the whole run (`--secret-var`), as a play's `skiff_secret_vars` declares them.
    public var secretVariables: Set<String> = []
    /// Values that are secret whatever variable holds them: the controller's environment variables with
    /// secret-looking names that the playbook reads with `lookup('env', …)`.
    public var secretValues: [String] = []
    /// Values that are secret whatever the name of the variable holding them (those decrypted from an
    /// Ansible Vault, also while the run goes on): masked in everything a task shows, as secret-named
    /// variables are.
    public var knownSecrets: @Sendable () -> [String] = { [] }
    /// When facts are gathered: only for plays that can read them (`auto`, the default), or `always`.
    public var gatherFacts: FactUsage.Mode = .auto
    /// What a secret value becomes in output and events (`********`, or the audit log's fingerprint).
    public var secretReplacement: @Sendable (String) -> String = { _ in SecretMask.placeholder }

    public init(forks: Int = 50, checkMode: Bool = false, extraVars: OrderedDictionary<String, Value> = [:],
                limit: Set<String>? = nil, tags: TagFilter = TagFilter(), runID: String,
                stop: StopRequest = StopRequest(), become: Bool = false, becomeAs: Become = Become(), diff: Bool = false) {
        self.stop = stop
        self.become = become
        self.becomeAs = becomeAs
        self.diff = diff
        self.forks = forks
        self.checkMode = checkMode
        self.extraVars = extraVars
        self.limit = limit
        self.tags = tags
        self.runID = runID
    }
}
