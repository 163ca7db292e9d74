#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Wakes a connection's worker thread blocked in `poll(2)` when the operation it runs is cancelled.
///
/// Each operation gets an id; cancelling an id that is not running (already finished, or not yet
/// started) never disturbs another operation.
final class Interrupter: Sendable {
    private let readFD: Int32
    private let writeFD: Int32
    private let state = Mutex(State())

    private struct State {
        var nextID: UInt64 = 1
        var running: UInt64 = 0
        var cancelled: Set<UInt64> = []
    }

    init() {
        var fds: [Int32] = [0, 0]
        let status = pipe(&fds)
        precondition(status == 0, "pipe failed: errno \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// The descriptor that becomes readable when the running operation is cancelled.
    var pollDescriptor: Int32 { readFD }

    func makeOperationID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Marks `id` as cancelled and wakes the worker thread if `id` is the one running.
    func cancel(_ id: UInt64) {
        let wake = state.withLock { state -> Bool in
            state.cancelled.insert(id)
            return state.running == id
        }
        if wake {
            var byte: UInt8 = 1
            _ = write(writeFD, &byte, 1)
        }
    }

    /// Called on the worker thread when operation `id` starts; false when it was cancelled already.
    func begin(_ id: UInt64) -> Bool {
        drain()
        return state.withLock { state in
            state.running = id
            return !state.cancelled.contains(id)
        }
    }

    func end(_ id: UInt64) {
        state.withLock { state in
            state.running = 0
            state.cancelled.remove(id)
        }
    }

    /// Called after `pollDescriptor` became readable: true when the running operation is cancelled.
    func runningOperationIsCancelled() -> Bool {
        drain()
        return state.withLock { $0.running != 0 && $0.cancelled.contains($0.running) }
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }
}
