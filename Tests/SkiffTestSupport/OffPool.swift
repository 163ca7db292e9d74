import Foundation

/// Runs blocking fixture work (ssh-keygen, starting sshd, waiting for it to listen) on a thread of its
/// own, so that it never occupies Swift's cooperative pool, which has only as many threads as cores
/// and runs every test's async code: a blocked pool thread would delay other tests' timings.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

extension TestHost {
    /// Starts a host without blocking the cooperative pool.
    public static func launch(_ configuration: Configuration = Configuration()) async throws -> TestHost {
        try await offPool { try TestHost.start(configuration) }
    }
}

/// Polls `condition` every 10 ms, off the cooperative pool, for up to `seconds`; true once it holds.
public func eventually(within seconds: Int, _ condition: @escaping @Sendable () -> Bool) async throws -> Bool {
    try await offPool {
        for _ in 0..<(seconds * 100) {
            if condition() { return true }
            usleep(10_000)
        }
        return false
    }
}
