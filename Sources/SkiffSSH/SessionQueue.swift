#if canImport(Glibc)
import Glibc
#endif

/// The jobs of one connection's libssh2 session, run one at a time, in order, on a thread of
/// `SessionWorkers` (never on Swift's cooperative pool: jobs block in `poll(2)`). A connection holds a
/// thread only while it has work: an idle connection holds none, and wakes when its keepalive is due.
final class SessionQueue: @unchecked Sendable {
    typealias Job = () -> Void

    /// Runs on a thread of its own, outside the workers' limit: for a job that lasts as long as the
    /// connection and that other connections' jobs wait on (a jump host's relay).
    let ownThread: Bool

    private var mutex = pthread_mutex_t()
    private var jobs: [Job] = []
    /// A worker runs this queue, or it waits for one: jobs submitted now run after the current ones.
    private var scheduled = false
    private var stopping = false
    private var idleDue = false
    /// Runs when the queue runs out of jobs and when the time it returned has come; returns when to run
    /// next (nil: only after the next job). Touched by jobs only, which never run at once.
    private var idleWork: (() -> ContinuousClock.Instant?)?

    init(ownThread: Bool = false) {
        self.ownThread = ownThread
        pthread_mutex_init(&mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(&mutex)
    }

    func submit(_ job: @escaping Job) {
        pthread_mutex_lock(&mutex)
        jobs.append(job)
        let start = !scheduled
        scheduled = true
        pthread_mutex_unlock(&mutex)
        if start { SessionWorkers.shared.run(self) }
    }

    /// Installs work to do while idle (keepalives). Call from a job of this queue only.
    func setIdleWork(_ work: (() -> ContinuousClock.Instant?)?) {
        idleWork = work
    }

    /// No idle work from now on; the queued jobs still run.
    func stop() {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_mutex_unlock(&mutex)
        SessionWorkers.shared.cancelWake(self)
    }

    /// The keepalive time has come. Called on the waker thread: the idle work (a keepalive, which never
    /// blocks) runs right here when no job is running, so a thousand idle connections cost no worker
    /// threads; jobs that arrive meanwhile go to a worker.
    func wake() {
        pthread_mutex_lock(&mutex)
        guard !stopping else {
            pthread_mutex_unlock(&mutex)
            return
        }
        guard !scheduled else {
            // A worker runs this queue: it runs the idle work after its jobs.
            idleDue = true
            pthread_mutex_unlock(&mutex)
            return
        }
        scheduled = true
        pthread_mutex_unlock(&mutex)
        if let next = idleWork?() { SessionWorkers.shared.wake(self, at: next) }
        pthread_mutex_lock(&mutex)
        let jobsArrived = !jobs.isEmpty
        if !jobsArrived { scheduled = false }
        pthread_mutex_unlock(&mutex)
        if jobsArrived { SessionWorkers.shared.run(self) }
    }

    /// Runs the queued jobs, then the idle work; called by a worker, one at a time per queue.
    func drain() {
        var ranJobs = false
        while true {
            pthread_mutex_lock(&mutex)
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                pthread_mutex_unlock(&mutex)
                job()
                ranJobs = true
                continue
            }
            let idle = (ranJobs || idleDue) && !stopping
            idleDue = false
            if !idle {
                scheduled = false
                pthread_mutex_unlock(&mutex)
                return
            }
            pthread_mutex_unlock(&mutex)
            ranJobs = false
            if let wake = idleWork?() { SessionWorkers.shared.wake(self, at: wake) }
        }
    }
}
