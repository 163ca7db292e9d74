#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (a pipe read, a wait for a child, a question on the terminal) on a thread of its
/// own, never on Swift's cooperative pool: that pool has only as many threads as cores, and every host's
/// run and every watchdog need them.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            startThread { continuation.resume(returning: body()) }
        }
    }

    /// Starts `work` on a new detached thread; on the calling thread when no thread can be made.
    private static func startThread(_ work: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Work(work)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
            return
        }
        pthread_detach(thread)
    }

    private final class Work: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
