import OrderedCollections
import SkiffCore
import SkiffInventory
import Synchronization

/// What each host learned during the run — gathered facts, `set_fact` and `register` results — kept
/// across plays (as Ansible keeps them), and the `hostvars` every host sees: inventory variables plus
/// each host's facts and runtime variables as they are now.
public final class HostStates: Sendable {
    private struct State {
        var facts: [String: OrderedDictionary<String, Value>] = [:]
        var runtime: [String: OrderedDictionary<String, Value>] = [:]
        var hostvars = OrderedDictionary<String, Value>()
    }

    private let base: OrderedDictionary<String, OrderedDictionary<String, Value>>
    private let state: Mutex<State>

    public init(inventory: Inventory) {
        var base = OrderedDictionary<String, OrderedDictionary<String, Value>>()
        for host in inventory.hosts.keys {
            var vars = inventory.variables(of: host)
            vars["inventory_hostname"] = .string(host)
            vars["group_names"] = .list(inventory.groupNames(of: host).map(Value.string))
            base[host] = vars
        }
        self.base = base
        var initial = State()
        for (host, vars) in base { initial.hostvars[host] = .dict(vars) }
        state = Mutex(initial)
    }

    /// The host's inventory variables (its groups' and its own, merged once per run).
    func inventoryVariables(of host: String) -> OrderedDictionary<String, Value>? { base[host] }

    func facts(of host: String) -> OrderedDictionary<String, Value> { state.withLock { $0.facts[host] ?? [:] } }
    func runtime(of host: String) -> OrderedDictionary<String, Value> { state.withLock { $0.runtime[host] ?? [:] } }
    var hostvars: Value { .dict(state.withLock { $0.hostvars }) }

    /// Records a host's facts and runtime variables, and refreshes its `hostvars` entry.
    func update(_ host: String, facts: OrderedDictionary<String, Value>, runtime: OrderedDictionary<String, Value>) {
        var entry = base[host] ?? ["inventory_hostname": .string(host)]
        entry.merge(facts) { $1 }
        entry["ansible_facts"] = .dict(HostVariables.unprefixed(facts))
        entry.merge(runtime) { $1 }
        state.withLock { state in
            state.facts[host] = facts
            state.runtime[host] = runtime
            state.hostvars[host] = .dict(entry)
        }
    }
}

/// What the hosts of one batch share: `run_once` tasks (run by the first host that reaches them, their
/// results given to all) and the `any_errors_fatal` stop.
final class BatchCoordination: Sendable {
    struct OnceResult: Sendable {
        var ok: Bool
        /// Variables the task set (`register`, `set_fact`), which every host of the batch receives.
        var variables: OrderedDictionary<String, Value>
    }

    private let started = Mutex<[String: _Concurrency.Task<OnceResult, Never>]>([:])
    /// Set when a host failed a task with `any_errors_fatal`: no host of the batch starts another task.
    let fatal = StopRequest()
    /// Set by `meta: end_play`: every host of the batch leaves the play before its next task, not failed.
    let playEnded = StopRequest()

    /// Runs `body` for the first host that asks for `key`; every other host waits for that result.
    func once(_ key: String, _ body: @escaping @Sendable () async -> OnceResult) async -> (result: OnceResult, ranHere: Bool) {
        let (task, ranHere) = started.withLock { started -> (_Concurrency.Task<OnceResult, Never>, Bool) in
            if let existing = started[key] { return (existing, false) }
            let task = _Concurrency.Task { await body() }
            started[key] = task
            return (task, true)
        }
        return (await task.value, ranHere)
    }
}
