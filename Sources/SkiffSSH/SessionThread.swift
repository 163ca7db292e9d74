#if canImport(Glibc)
import Glibc
#endif

/// The one thread that drives a connection's libssh2 session. Jobs run one at a time, in order;
/// while idle the thread wakes to service keepalives. Blocking here never touches Swift's
/// cooperative thread pool.
final class SessionThread: @unchecked Sendable {
    typealias Job = () -> Void

    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var jobs: [Job] = []
    private var stopping = false
    private var finished = false
    /// Called on this thread when it wakes up idle; returns when to wake next (nil: only for a job).
    private var idleWork: (() -> ContinuousClock.Instant?)?

    /// Stack per session thread: libssh2 and OpenSSL need little, and many hosts run at once.
    static let stackSize = 512 * 1024

    init(name: String) throws {
        pthread_mutex_init(&mutex, nil)
        var conditionAttributes = pthread_condattr_t()
        pthread_condattr_init(&conditionAttributes)
        pthread_condattr_setclock(&conditionAttributes, CLOCK_MONOTONIC)
        pthread_cond_init(&condition, &conditionAttributes)
        pthread_condattr_destroy(&conditionAttributes)

        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, Self.stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attributes) }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, &attributes, { context in
            let worker = Unmanaged<SessionThread>.fromOpaque(context!).takeRetainedValue()
            worker.loop()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<SessionThread>.fromOpaque(context).release()
            throw SSHError(.protocolError, host: name, "cannot start a session thread: \(String(cString: strerror(status)))")
        }
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    func submit(_ job: @escaping Job) {
        pthread_mutex_lock(&mutex)
        jobs.append(job)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Installs work to do while idle (keepalives). Call from this thread only, inside a job.
    func setIdleWork(_ work: (() -> ContinuousClock.Instant?)?) {
        idleWork = work
    }

    /// Lets the thread end once the queued jobs are done.
    func stop() {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    private func loop() {
        while let job = nextJob() {
            job()
        }
    }

    private func nextJob() -> Job? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while jobs.isEmpty {
            if stopping { return nil }
            let wake = idleWork.flatMap { work -> ContinuousClock.Instant? in
                pthread_mutex_unlock(&mutex)
                defer { pthread_mutex_lock(&mutex) }
                return work()
            }
            if !jobs.isEmpty || stopping { continue }
            if let wake {
                var deadline = Self.monotonicTimespec(after: wake - .now)
                pthread_cond_timedwait(&condition, &mutex, &deadline)
            } else {
                pthread_cond_wait(&condition, &mutex)
            }
        }
        return jobs.removeFirst()
    }

    private static func monotonicTimespec(after delay: Duration) -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let delayNanos = max(Int64(0), Int64(delay.milliseconds * 1_000_000))
        let total = Int64(now.tv_nsec) + delayNanos % 1_000_000_000
        return timespec(
            tv_sec: now.tv_sec + Int(delayNanos / 1_000_000_000) + Int(total / 1_000_000_000),
            tv_nsec: Int(total % 1_000_000_000))
    }
}
