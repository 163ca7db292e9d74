import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffPlaybook
import SkiffTemplate

/// Actions that run on the controller: `debug`, `set_fact`, `include_vars`, `assert`, `fail`, `pause`, `meta`.
enum LocalActions {
    /// The outcome of a local action, or nil when the task's module runs on the host.
    static func run(_ task: Task, arguments: OrderedDictionary<String, Value>, context: TemplateContext) throws -> ModuleOutcome? {
        switch task.module {
        case "ansible.builtin.debug":
            if let variable = arguments["var"]?.text {
                // As ansible-playbook 2.19: a variable that cannot be shown (undefined) is said so, not an error.
                let value: Value
                do {
                    value = try Condition(variable, location: task.location).value(context)
                } catch let error as TemplateError {
                    // Without the expression Skiff adds to template errors: here it is the variable itself.
                    let said = error.message.hasSuffix(" in '{{ \(variable) }}'") ? String(error.message.dropLast(" in '{{ \(variable) }}'".count)) : error.message
                    value = .string("<< error 1 - \(said) >>")
                }
                var outcome = ModuleOutcome(message: "\(variable): \(value.json)", result: [variable: value])
                outcome.shown = Value.dict([variable: value]).json
                return outcome
            }
            let message = arguments["msg"] ?? .string("Hello world!")
            // Shown with its type, as ansible-playbook 2.19 does: `msg: "{{ rc }}"` shows 1, a list a list.
            var outcome = ModuleOutcome(message: message.text, result: ["msg": message])
            outcome.shown = Value.dict(["msg": message]).json
            return outcome
        case "ansible.builtin.set_fact":
            var facts = arguments
            facts.removeValue(forKey: "cacheable")
            return ModuleOutcome(result: ["ansible_facts": .dict(facts)])
        case "ansible.builtin.assert":
            let conditions: [Value]
            if case .list(let items)? = task.arguments["that"] { conditions = items } else { conditions = [task.arguments["that"] ?? .bool(true)] }
            for condition in conditions {
                if try !Condition(condition.text, location: task.location).evaluate(context) {
                    let message = arguments["fail_msg"]?.text ?? arguments["msg"]?.text ?? "Assertion failed: \(condition.text)"
                    return ModuleOutcome(failed: true, message: message, result: ["assertion": condition])
                }
            }
            return ModuleOutcome(message: arguments["success_msg"]?.text ?? "All assertions passed")
        case "ansible.builtin.fail":
            return ModuleOutcome(failed: true, message: arguments["msg"]?.text ?? "Failed as requested from task")
        case "ansible.builtin.pause":
            let seconds = (arguments["seconds"]?.intValue ?? 0) + 60 * (arguments["minutes"]?.intValue ?? 0)
            return PauseMarker.outcome(seconds: seconds, echo: arguments["echo"]?.isTrue ?? true)
        case "ansible.builtin.meta":
            // `flush_handlers` and `end_host` are the runner's (HostPlayRun); as in ansible-playbook, a meta task shows no message.
            return ModuleOutcome()
        default:
            return nil
        }
    }
}

/// `pause` is local too, but it waits: the host run sleeps for the outcome's `seconds`. Its result has
/// ansible-core's fields (`echo`, `user_input` — always empty: Skiff does not read answers to a pause —
/// `stdout`, `rc`, `delta`).
enum PauseMarker {
    static func outcome(seconds: Int, echo: Bool) -> ModuleOutcome {
        ModuleOutcome(message: "Paused for \(seconds) seconds", result: [
            "pause_seconds": .int(seconds), "echo": .bool(echo), "user_input": .string(""), "stdout": .string("Paused for \(seconds) seconds"),
            "stderr": .string(""), "rc": .int(0), "delta": .int(seconds),
        ])
    }
}
