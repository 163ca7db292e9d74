import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// The threads that run connections' jobs (`SessionQueue`). A queue with work gets an idle worker, or a
/// new thread when none is idle, up to `limit` threads (`SSHWorkerThreads`: a run's `--forks` plus a few):
/// beyond it, the queue waits for a worker to finish its job. A worker idle for a few seconds ends.
/// Threads thus follow the connections working at once (`--forks`), not the connections open — also when
/// many short jobs follow each other, where a worker that just ran one is not yet idle when the next one
/// comes. A queue that keeps its job running (a jump host's relay) gets a thread of its own, outside the
/// limit, so no connection waits on a worker that waits on that relay. One more thread wakes idle queues
/// when their keepalive is due.
final class SessionWorkers: @unchecked Sendable {
    static let shared = SessionWorkers()

    /// Stack per worker: libssh2 and OpenSSL need little.
    static let stackSize = 512 * 1024
    /// How long a worker with nothing to do waits before it ends.
    static let idleSeconds = 3

    private var mutex = pthread_mutex_t()
    private var workAvailable = pthread_cond_t()
    private var wakesChanged = pthread_cond_t()
    private var ready: [SessionQueue] = []
    private var readyHead = 0
    private var idle = 0
    /// Signals sent to idle workers and not yet taken: each `run` wakes a worker of its own or starts one.
    private var signalled = 0
    private var wakes: [ObjectIdentifier: (at: ContinuousClock.Instant, queue: SessionQueue)] = [:]
    private var wakerStarted = false
    /// Most workers at once; `Int.max` until a run sets it.
    private var limit = Int.max
    /// Workers started and not yet ended.
    private var workers = 0

    private init() {
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&workAvailable, &attributes)
        pthread_cond_init(&wakesChanged, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    /// Most worker threads at once, from now on (at least 1). Workers above it end as they become idle.
    func setLimit(_ count: Int) {
        pthread_mutex_lock(&mutex)
        limit = max(1, count)
        pthread_mutex_unlock(&mutex)
    }

    /// Has a worker drain the queue.
    func run(_ queue: SessionQueue) {
        // Not counted, never waits: its job may run as long as the connection. Without a thread of its
        // own (the system has none to give), it goes to the workers like any queue.
        if queue.ownThread, Self.start(named: "skiff-ssh-jump", { queue.drain() }) {
            return
        }
        pthread_mutex_lock(&mutex)
        ready.append(queue)
        if idle > signalled {
            signalled += 1
            pthread_cond_signal(&workAvailable)
            pthread_mutex_unlock(&mutex)
            return
        }
        guard workers < limit else {
            // A worker takes the queue when it finishes its job.
            pthread_mutex_unlock(&mutex)
            return
        }
        workers += 1
        pthread_mutex_unlock(&mutex)
        guard Self.start(named: "skiff-ssh", { SessionWorkers.shared.work() }) else {
            // With no thread to be had, a worker already running takes the queue when it is free; with
            // none running, the caller's thread drains it, rather than leave its jobs waiting for ever.
            pthread_mutex_lock(&mutex)
            workers -= 1
            let stranded = workers == 0 && readyHead < ready.count
            var queues: [SessionQueue] = []
            if stranded {
                queues = Array(ready[readyHead...])
                ready.removeAll(keepingCapacity: true)
                readyHead = 0
            }
            pthread_mutex_unlock(&mutex)
            queues.forEach { $0.drain() }
            return
        }
    }

    /// Calls the queue's `wake` at the instant (replacing the one set before).
    func wake(_ queue: SessionQueue, at instant: ContinuousClock.Instant) {
        pthread_mutex_lock(&mutex)
        wakes[ObjectIdentifier(queue)] = (instant, queue)
        if !wakerStarted { wakerStarted = Self.start(named: "skiff-ssh-wake") { SessionWorkers.shared.wakeQueues() } }
        pthread_cond_signal(&wakesChanged)
        pthread_mutex_unlock(&mutex)
    }

    func cancelWake(_ queue: SessionQueue) {
        pthread_mutex_lock(&mutex)
        wakes.removeValue(forKey: ObjectIdentifier(queue))
        pthread_mutex_unlock(&mutex)
    }

    private func work() {
        pthread_mutex_lock(&mutex)
        while true {
            if readyHead < ready.count {
                let queue = ready[readyHead]
                readyHead += 1
                if readyHead == ready.count {
                    ready.removeAll(keepingCapacity: true)
                    readyHead = 0
                }
                pthread_mutex_unlock(&mutex)
                queue.drain()
                pthread_mutex_lock(&mutex)
                continue
            }
            if workers > limit {
                workers -= 1
                pthread_mutex_unlock(&mutex)
                return
            }
            idle += 1
            var deadline = Self.monotonicTimespec(after: .seconds(Self.idleSeconds))
            let status = pthread_cond_timedwait(&workAvailable, &mutex, &deadline)
            idle -= 1
            if signalled > 0 {
                signalled -= 1
            } else if status == ETIMEDOUT && readyHead == ready.count {
                workers -= 1
                pthread_mutex_unlock(&mutex)
                return
            }
        }
    }

    private func wakeQueues() {
        pthread_mutex_lock(&mutex)
        while true {
            guard let next = wakes.min(by: { $0.value.at < $1.value.at }) else {
                pthread_cond_wait(&wakesChanged, &mutex)
                continue
            }
            if next.value.at > .now {
                var deadline = Self.monotonicTimespec(after: next.value.at - .now)
                pthread_cond_timedwait(&wakesChanged, &mutex, &deadline)
                continue
            }
            wakes.removeValue(forKey: next.key)
            pthread_mutex_unlock(&mutex)
            next.value.queue.wake()
            pthread_mutex_lock(&mutex)
        }
    }

    /// Starts a detached thread with the workers' stack size, named (as `ps -L` and /proc show it); false
    /// when the system refused one.
    private static func start(named name: String, _ body: @escaping () -> Void) -> Bool {
        final class Box {
            let name: String
            let body: () -> Void
            init(_ name: String, _ body: @escaping () -> Void) { (self.name, self.body) = (name, body) }
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attributes) }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Box(name, body)).toOpaque()
        let status = pthread_create(&thread, &attributes, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            skiff_name_this_thread(box.name)
            box.body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            return false
        }
        return true
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
