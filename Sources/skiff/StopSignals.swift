import Dispatch
import SkiffRunner
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM (a CI job cancelled): the first asks the run to stop (no new task starts; `always`
/// sections and module cleanup run; exit 99); a second one ends the process at once, with status 99,
/// after `lastWords` (the audit log's `run_interrupted`) — given at most two seconds, as CI systems send
/// SIGKILL soon after. The hosts clean up after a run that quits this way (see `SessionWatcher`).
final class StopSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(stop: StopRequest, lastWords: (@Sendable () async -> Void)? = nil) {
        let quitting = StopRequest()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.isRequested {
                    // A third signal, or no last words: at once.
                    guard let lastWords, !quitting.isRequested else { _exit(99) }
                    quitting.request()
                    DispatchQueue.global().asyncAfter(deadline: .now() + 2) { _exit(99) }
                    _Concurrency.Task {
                        await lastWords()
                        _exit(99)
                    }
                    return
                }
                stop.request()
                let text = "\n[WARNING]: stopping: no new task will start; cleanup is running (signal again to quit at once)\n"
                _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
