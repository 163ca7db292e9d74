import SkiffCore
import Synchronization

/// Prints events in ansible-playbook's shape: `PLAY [...]`, `TASK [...]`, `ok: [host]`, `PLAY RECAP`.
/// Colors on a terminal or with FORCE_COLOR, never under NO_COLOR (`Console.colorful`). On a terminal, a last line shows how many hosts
/// finished the running task (`progress`); it fits the terminal's width (`columns`, asked each time it is
/// drawn), is rewritten in place, and is cleared before other output and at the end (`finish`).
final class ConsoleReporter: Sendable {
    let verbosity: Int
    let color: Bool
    let progress: Bool
    let columns: @Sendable () -> Int

    private struct State {
        var lastTask: String?
        var playHosts = 0
        var finished: [String: Set<String>] = [:]
        var progressShown = false
    }

    private let state = Mutex(State())

    init(verbosity: Int, color: Bool, progress: Bool = false, columns: @escaping @Sendable () -> Int = ProgressLine.terminalColumns) {
        self.verbosity = verbosity
        self.color = color
        self.progress = progress
        self.columns = columns
    }

    /// Erases the progress line, if one is shown: the run ended (also when it ended with an error).
    func finish() {
        let clear = state.withLock { takeProgress(&$0) }
        if !clear.isEmpty { Console.write(clear) }
    }

    func handle(_ event: RunEvent) {
        switch event {
        case .playStarted(let name, _, let hosts):
            let clear = state.withLock { state in
                state = State(playHosts: hosts.count, progressShown: state.progressShown)
                return takeProgress(&state)
            }
            Console.out(clear + "\n" + banner("PLAY [\(name)]"))
        case .taskStarted(let name):
            // A header is printed with the first result under it: under `strategy: free` hosts run their tasks
            // independently, and results of one task must never land under another task's header.
            guard progress else { break }
            let line = state.withLock { state -> String? in
                guard state.finished[name] == nil else { return nil }
                state.finished[name] = []
                return progressLine(name, &state)
            }
            if let line { Console.write(line) }
        case .hostResult(let result):
            // A loop's items were shown (an unreachable one too); its overall result shows only when it says
            // more: that items failed, or that there were none.
            if let count = result.loopItems, count > 0, ![.failed, .ignored].contains(result.status) {
                state.withLock { state in _ = state.finished[result.task, default: []].insert(result.host) }
                break
            }
            // One write for header and line, so a result never lands under another task's header.
            let text = state.withLock { state -> String in
                let header = state.lastTask == result.task ? nil : result.task
                state.lastTask = result.task
                state.finished[result.task, default: []].insert(result.host)
                let text = takeProgress(&state) + (header.map { "\n" + banner("TASK [\($0)]") + "\n" } ?? "") + (result.diff ?? "")
                    + line(result) + "\n"
                return text + (progress ? progressLine(result.task, &state) ?? "" : "")
            }
            Console.write(text)
        case .note(let text):
            guard verbosity >= 1 else { break }
            let clear = state.withLock { takeProgress(&$0) }
            Console.out(clear + text)
        case .uploaded:
            // The audit log's; -vvv already shows the upload's line (`upload DEST (mode, sha256)`).
            break
        case .command(let host, let line):
            guard verbosity >= 3 else { break }
            let clear = state.withLock { takeProgress(&$0) }
            Console.out(clear + "<\(host)> EXEC \(line)")
        case .lock(let host, let action, let detail):
            // Refusals show as the host's `locked:` result; these are worth a line of their own.
            guard ["waiting", "broken", "lost"].contains(action) || verbosity >= 2 else { break }
            let text: String
            switch action {
            case "waiting": text = "\(host): waiting for the deploy lock, held by \(detail ?? "another run")"
            case "lost": text = "\(host): the deploy lock was no longer this run's at the end (broken by someone else?)"
            default: text = "\(host): deploy lock \(action)" + (detail.map { ": \($0)" } ?? "")
            }
            handle(.warning(text))
        case .warning(let text):
            let clear = state.withLock { takeProgress(&$0) }
            if !clear.isEmpty { Console.write(clear) }
            Console.warn(text)
        case .rescued:
            break
        case .recap(let recaps):
            let clear = state.withLock { takeProgress(&$0) }
            Console.out(clear + "\n" + banner("PLAY RECAP"))
            for recap in recaps {
                let host = recap.host.padding(26)
                let counts = "ok=\(recap.ok)".padding(4 + 5) + "changed=\(recap.changed)".padding(12) + "unreachable=\(recap.unreachable)".padding(16)
                    + "failed=\(recap.failed)".padding(11) + "skipped=\(recap.skipped)".padding(12) + "rescued=\(recap.rescued)".padding(12)
                    + "ignored=\(recap.ignored)" + (recap.locked > 0 ? "    locked=\(recap.locked)" : "")
                Console.out(paint(host, recap.failed + recap.unreachable > 0 ? "31" : recap.locked > 0 ? "35" : recap.changed > 0 ? "33" : "32") + " : " + counts)
            }
        }
    }

    /// `[task] 3/10 hosts done`, without a newline, while hosts are still working on the task.
    private func progressLine(_ task: String, _ state: inout State) -> String? {
        let done = state.finished[task]?.count ?? 0
        guard done < state.playHosts else { return nil }
        state.progressShown = true
        return paint(ProgressLine.text(task: task, done: done, total: state.playHosts, width: columns()), "2")
    }

    /// Erases the progress line, when one is shown, so that the next output starts at column 0.
    private func takeProgress(_ state: inout State) -> String {
        guard state.progressShown else { return "" }
        state.progressShown = false
        return "\r\u{1B}[K"
    }

    private func line(_ result: HostResult) -> String {
        let item = result.item.map { " => (item=\($0))" } ?? ""
        switch result.status {
        case .ok: return paint("ok: [\(result.host)]\(item)", "32") + detail(result)
        case .changed: return paint("changed: [\(result.host)]\(item)", "33") + detail(result)
        case .skipped: return paint("skipping: [\(result.host)]\(item)", "36")
        case .ignored: return paint("fatal: [\(result.host)]: FAILED! => \(failure(result))", "31") + "\n" + paint("...ignoring", "36")
        case .failed, .rescued:
            // As ansible-playbook: `failed: [host] (item=x) => {…}` for an item, `fatal: [host]: FAILED! => {…}` otherwise.
            if let item = result.item { return paint("failed: [\(result.host)] (item=\(item)) => \(failure(result))", "31") }
            return paint("fatal: [\(result.host)]: FAILED! => \(failure(result))", "31")
        case .unreachable: return paint("fatal: [\(result.host)]: UNREACHABLE! => \(result.message ?? "")", "31")
        case .locked: return paint("locked: [\(result.host)]: NOT RUN => \(result.message ?? "")", "35")
        }
    }

    private func failure(_ result: HostResult) -> String {
        var fields: [String] = []
        if let rc = result.rc { fields.append("\"rc\": \(rc)") }
        fields.append("\"msg\": \(Value.string(result.message ?? "").json)")
        if verbosity > 0 || result.rc != nil {
            if let stderr = result.stderr, !stderr.isEmpty { fields.append("\"stderr\": \(Value.string(stderr).json)") }
            if let stdout = result.stdout, !stdout.isEmpty { fields.append("\"stdout\": \(Value.string(stdout).json)") }
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// `=> {"msg": …}` for results that carry a message and no command (debug, assert, skips);
    /// with -v, a command's rc, stdout and stderr too.
    private func detail(_ result: HostResult) -> String {
        if let shown = result.shown { return " => \(shown)" }
        if let message = result.message, result.rc == nil {
            return " => {\"msg\": \(Value.string(message).json)}"
        }
        guard verbosity > 0, let rc = result.rc else { return "" }
        return " => {\"rc\": \(rc), \"stdout\": \(Value.string(result.stdout ?? "").json), \"stderr\": \(Value.string(result.stderr ?? "").json)}"
    }

    private func banner(_ title: String) -> String {
        title + " " + String(repeating: "*", count: max(3, 79 - title.count))
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[0;\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
