#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
import SkiffPlaybook
import Synchronization

/// `--step`: before a task first starts, asks `Perform task: NAME (N)o/(y)es/(c)ontinue:` once for all
/// hosts, as ansible-playbook asks. `y` runs it, `c` runs it and every later task without asking, anything
/// else (Enter, `n`, the end of input) skips it. Hosts reaching a task that is being asked about wait for
/// the answer; one question is on the terminal at a time.
public final class StepConfirmation: Sendable {
    private let ask: @Sendable (String) -> String?
    private let state = Mutex<(answers: [String: Bool], continueAll: Bool)>(([:], false))
    /// Held while a question is on the terminal (taken in `BlockingWork`, never on the cooperative pool).
    private let asking = ThreadLock()

    /// `ask` shows the prompt and returns the line typed, or nil at the end of input.
    public init(ask: @escaping @Sendable (String) -> String?) {
        self.ask = ask
    }

    func shouldRun(_ task: Task, name: String) async -> Bool {
        let key = "\(task.location)#\(task.displayName)"
        if let known = known(key) { return known }
        return await BlockingWork.run { [self] in
            asking.lock()
            defer { asking.unlock() }
            if let known = known(key) { return known }
            let reply = ask("Perform task: \(name) (N)o/(y)es/(c)ontinue: ")?.trimmingSpacesAndTabs().lowercased() ?? ""
            let run = ["y", "yes", "c", "continue"].contains(reply)
            state.withLock { state in
                state.answers[key] = run
                if reply.hasPrefix("c") { state.continueAll = true }
            }
            return run
        }
    }

    private func known(_ key: String) -> Bool? {
        // A task already answered keeps its answer for the hosts that reach it later (after a `c`, too).
        state.withLock { state in state.answers[key] ?? (state.continueAll ? true : nil) }
    }
}
