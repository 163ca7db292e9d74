import Dispatch
import SkiffRunner
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM (a CI job cancelled): the first asks the run to stop (no new task starts; `always`
/// sections and module cleanup run; exit 99); a second one ends the process at once, with status 99.
final class StopSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(stop: StopRequest) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.isRequested { _exit(99) }
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
