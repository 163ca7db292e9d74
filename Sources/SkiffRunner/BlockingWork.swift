import Foundation

/// Runs blocking work (a pipe read, a wait for a child, a question on the terminal) on a thread of its
/// own, never on Swift's cooperative pool: that pool has only as many threads as cores, and every host's
/// run and every watchdog need them.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}
