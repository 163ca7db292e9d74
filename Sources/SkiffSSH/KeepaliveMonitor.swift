/// Decides when to send an SSH keepalive and when a silent server counts as gone
/// (OpenSSH's `ServerAliveInterval` / `ServerAliveCountMax`).
///
/// It watches the session's received-byte counter: any bytes from the server count as a sign of life.
/// When the server has been silent for `interval`, a keepalive (which OpenSSH always answers) is due;
/// after `interval × maxMissed` of silence with at least one keepalive unanswered, the server is gone.
struct KeepaliveMonitor {
    let interval: Duration
    let maxMissed: Int

    private var lastBytesReceived: UInt64
    private var lastActivity: ContinuousClock.Instant
    private var lastSent: ContinuousClock.Instant?

    init(interval: Duration, maxMissed: Int, bytesReceived: UInt64, now: ContinuousClock.Instant) {
        self.interval = interval
        self.maxMissed = max(1, maxMissed)
        self.lastBytesReceived = bytesReceived
        self.lastActivity = now
    }

    enum Action: Equatable {
        case none
        case sendKeepalive
        case serverGone
    }

    /// What to do now, given the current received-byte count.
    mutating func check(bytesReceived: UInt64, now: ContinuousClock.Instant) -> Action {
        if bytesReceived != lastBytesReceived {
            lastBytesReceived = bytesReceived
            lastActivity = now
            lastSent = nil
        }
        let silence = now - lastActivity
        if lastSent != nil && silence >= interval * maxMissed {
            return .serverGone
        }
        if silence >= interval, lastSent.map({ now - $0 >= interval }) ?? true {
            lastSent = now
            return .sendKeepalive
        }
        return .none
    }

    /// The next moment `check` may have something to do.
    func nextCheck() -> ContinuousClock.Instant {
        let nextSend = (lastSent ?? lastActivity) + interval
        guard lastSent != nil else { return nextSend }
        return min(nextSend, lastActivity + interval * maxMissed)
    }
}
