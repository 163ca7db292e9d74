import SkiffPlaybook
import Synchronization

/// Where a task sits in its play, in the play's order: gathering facts, then the tasks (a block's own
/// tasks, then its `rescue`, then its `always`; an `include_tasks` loop's items one after the other),
/// then the handlers. Compared word by word, a shorter path first.
struct TaskPosition: Comparable, Hashable, Sendable {
    var path: [Int]

    static let facts = TaskPosition(path: [0])
    static let tasks = TaskPosition(path: [1])
    static func handler(_ index: Int) -> TaskPosition { TaskPosition(path: [2, index]) }

    /// The position of something inside this one (the `index`-th task of a list, a block's section).
    func appending(_ indices: Int...) -> TaskPosition { TaskPosition(path: path + indices) }

    static func < (lhs: TaskPosition, rhs: TaskPosition) -> Bool {
        lhs.path.lexicographicallyPrecedes(rhs.path)
    }
}

/// The play's strategy: `linear` (Ansible's default: every host of the batch finishes a task before any
/// host starts the next one) or `free` (each host runs through its tasks as fast as it can).
enum Strategy: Sendable, Equatable {
    case linear, free

    /// The play's `strategy` keyword; `host_pinned` runs as `free` does, `debug` as `linear`.
    static func of(_ play: Play) throws -> Strategy {
        guard let value = play.keywords["strategy"], value != .null else { return .linear }
        switch value.text {
        case "linear", "debug", "ansible.builtin.linear", "ansible.builtin.debug": return .linear
        case "free", "host_pinned", "ansible.builtin.free", "ansible.builtin.host_pinned": return .free
        default:
            throw StrategyError("\(play.location): invalid play strategy '\(value.text)' (Skiff runs 'linear', the default, and 'free')")
        }
    }
}

struct StrategyError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The linear strategy's turns for one batch of hosts. Before each task a host asks for its turn at the
/// task's position; when every host still in the play is waiting (none is running a task), the hosts
/// waiting at the earliest position go — at most `forks` at a time, in inventory order — and the others
/// wait on. So a task sees what every host did in the tasks before it (`hostvars`, registered results),
/// hosts in a `rescue` wait while the others finish their block, and each task's results come together.
final class Lockstep: Sendable {
    private struct Waiter {
        var position: TaskPosition
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        /// Hosts that have not finished the play.
        var live: Set<String>
        var waiting: [String: Waiter] = [:]
        /// Hosts let go that have not come back for their next turn.
        var running: Set<String> = []
        /// Hosts let go at the current position that wait for a free fork.
        var queue: [String] = []
        /// Whether the next host let go is the first at its position (it shows the task's header).
        var firstAtPosition = false
        /// Hosts that left the play failed.
        var failed = 0
    }

    private let forks: Int
    private let order: [String: Int]
    private let state: Mutex<State>
    /// Told how many hosts have failed so far before each task starts on the batch (`max_fail_percentage`).
    private let beforeEachTask: @Sendable (_ failed: Int) -> Void

    init(hosts: [String], forks: Int, beforeEachTask: @escaping @Sendable (_ failed: Int) -> Void = { _ in }) {
        self.forks = max(1, forks)
        self.beforeEachTask = beforeEachTask
        order = Dictionary(hosts.enumerated().map { ($0.element, $0.offset) }) { first, _ in first }
        state = Mutex(State(live: Set(hosts)))
    }

    /// Waits until `host` may run the task at `position`; true for the first host let go at a position.
    func turn(_ host: String, at position: TaskPosition) async -> Bool {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                state.running.remove(host)
                state.waiting[host] = Waiter(position: position, continuation: continuation)
                return schedule(&state)
            }
            resume(ready)
        }
    }

    /// `host` has finished the play (done, `failed`, or unreachable): nobody waits for it any more.
    func leave(_ host: String, failed: Bool = false) {
        let ready = state.withLock { state in
            if state.live.remove(host) != nil, failed { state.failed += 1 }
            state.running.remove(host)
            return schedule(&state)
        }
        resume(ready)
    }

    /// Lets the hosts go; when a new task starts, `beforeEachTask` first hears how many hosts failed.
    private func resume(_ ready: (hosts: [(CheckedContinuation<Bool, Never>, Bool)], failed: Int?)) {
        if let failed = ready.failed { beforeEachTask(failed) }
        for (waiting, first) in ready.hosts { waiting.resume(returning: first) }
    }

    /// The hosts to let go now (and whether each is the first at its position), and the count of failed
    /// hosts when a new task starts.
    private func schedule(_ state: inout State) -> (hosts: [(CheckedContinuation<Bool, Never>, Bool)], failed: Int?) {
        var startsTask: Int?
        if state.queue.isEmpty, state.running.isEmpty, !state.waiting.isEmpty, state.waiting.count == state.live.count,
           let earliest = state.waiting.values.map(\.position).min() {
            state.queue = state.waiting.filter { $0.value.position == earliest }.map(\.key)
                .sorted { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
            state.firstAtPosition = true
            startsTask = state.failed
        }
        var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
        while !state.queue.isEmpty, state.running.count < forks {
            let host = state.queue.removeFirst()
            guard let waiter = state.waiting.removeValue(forKey: host) else { continue }
            state.running.insert(host)
            ready.append((waiter.continuation, state.firstAtPosition))
            state.firstAtPosition = false
        }
        return (ready, startsTask)
    }
}
