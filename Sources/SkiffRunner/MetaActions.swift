import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffPlaybook
import SkiffTemplate

/// `meta:` tasks, which act on the run itself, as ansible-playbook 2.19 runs them: a `TASK [meta]`
/// header and no result line of their own (nor a count in the recap).
///
/// - `flush_handlers`: the handlers notified so far run now, in the play's order, and are notified no more.
/// - `end_host`: this host's play ends here, without failing; the next play runs on it as usual.
/// - `end_play`: the play ends for every host (later batches included), without failing.
/// - `end_batch`: the current batch ends; the play's next batch runs.
/// - `reset_connection`: the host's connection is opened anew (a group the login user just joined then
///   applies); the deploy lock is handed to the new connection first.
/// - `clear_facts`: the host's gathered facts are forgotten. `noop`, `clear_host_errors`,
///   `refresh_inventory` (Skiff reads the inventory once): nothing to do.
extension HostPlayRun {
    func runMeta(_ task: Task, blockVars: [ScopedVariables], at position: TaskPosition) async -> Bool {
        let base = context(for: task, blockVars: blockVars)
        if showsHeader { emit(.taskStarted(name: task.displayName)) }
        let action = (task.arguments["_raw_params"]?.text ?? "").trimmingCharacters(in: " ")
        do {
            for condition in TaskKeywordsList.conditions(task.keywords["when"]) where try !Condition(condition, location: task.location).evaluate(base) {
                return true
            }
        } catch {
            emit(.hostResult(HostResult(host: host, task: task.displayName, status: .failed, message: "\(error)")))
            return false
        }
        switch action {
        case "flush_handlers":
            // The handlers notified so far, each at its place after this task (so under the linear
            // strategy every host's handlers run before any host's next task).
            return await runNotifiedHandlers(ok: true) { position.appending($0) }
        case "end_host":
            endedPlay = true
            return false
        case "end_play", "end_batch":
            coordination.endPlay.request()
            if action == "end_play" { coordination.endsLaterBatches.request() }
            endedPlay = true
            return false
        case "reset_connection":
            do {
                if let (old, new) = try await connections.reconnect(host, variables: base.variables) {
                    await locks?.adopt(host, connection: new)
                    await old.close()
                }
            } catch {
                emit(.hostResult(HostResult(host: host, task: task.displayName, status: .unreachable, message: "\(error)")))
                return false
            }
            return true
        case "clear_facts":
            facts = [:]
            publishState()
            return true
        case "noop", "clear_host_errors", "refresh_inventory":
            return true
        default:
            emit(.hostResult(HostResult(host: host, task: task.displayName, status: .failed,
                                        message: "\(task.location): unknown meta action '\(action)' (Skiff knows \(MetaModule.actions.sorted().joined(separator: ", ")))")))
            return false
        }
    }
}
