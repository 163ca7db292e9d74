import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// One libssh2 session in non-blocking mode over one TCP socket, driven by `poll(2)` with real deadlines.
///
/// Not thread-safe: it is only ever called from its connection's jobs (see `SessionQueue`), which run
/// one at a time. Every libssh2 call goes through ``drive(_:until:onTimeout:_:)``,
/// which retries on `EAGAIN` after waiting for the socket, the deadline, cancellation or a keepalive.
final class LibSSH2Session {
    let raw: OpaquePointer
    let socket: Int32
    /// The host as shown in errors.
    let host: String
    private let counter: UnsafeMutablePointer<skiff_io_counter>
    private let interrupter: Interrupter
    private var keepalive: KeepaliveMonitor?
    private var cancellationMasked = false

    init(socket: Int32, host: String, interrupter: Interrupter) throws {
        LibSSH2Runtime.ensureInitialized()
        counter = .allocate(capacity: 1)
        counter.initialize(to: skiff_io_counter(bytes_received: 0))
        guard let session = skiff_session_new(counter) else {
            counter.deallocate()
            throw SSHError(.protocolError, host: host, "libssh2 could not create a session")
        }
        raw = session
        self.socket = socket
        self.host = host
        self.interrupter = interrupter
        libssh2_session_set_blocking(session, 0)
    }

    deinit {
        libssh2_session_free(raw)
        close(socket)
        counter.deallocate()
    }

    var bytesReceived: UInt64 { counter.pointee.bytes_received }

    /// Starts keepalives; call only once authenticated (libssh2 1.10 breaks the handshake otherwise).
    func startKeepalive(interval: Duration, maxMissed: Int) {
        libssh2_keepalive_config(raw, 1, 1)
        keepalive = KeepaliveMonitor(
            interval: interval, maxMissed: maxMissed, bytesReceived: bytesReceived, now: .now)
    }

    /// Sends a keepalive when one is due; throws when the server stopped answering.
    func serviceKeepalive() throws {
        guard var monitor = keepalive else { return }
        let action = monitor.check(bytesReceived: bytesReceived, now: .now)
        keepalive = monitor
        switch action {
        case .none:
            break
        case .sendKeepalive:
            var nextSeconds: Int32 = 0
            _ = libssh2_keepalive_send(raw, &nextSeconds)
        case .serverGone:
            let limit = monitor.interval * monitor.maxMissed
            throw SSHError(
                .connectionLost, host: host,
                "connection lost: the server did not answer keepalives for \(limit.seconds) s")
        }
    }

    /// When the idle thread should wake to service keepalives, if they are on.
    var nextKeepaliveCheck: ContinuousClock.Instant? { keepalive?.nextCheck() }

    /// Calls `call` until it stops reporting `EAGAIN`, waiting for the socket in between.
    /// - Parameters:
    ///   - wouldBlock: tells whether a result means "try again" (usually `LIBSSH2_ERROR_EAGAIN`).
    ///   - onTimeout: the error thrown when `deadline` passes first.
    func drive<T>(
        _ deadline: Deadline, until wouldBlock: (T) -> Bool, onTimeout: () -> SSHError, _ call: () -> T
    ) throws -> T {
        while true {
            let result = call()
            if !wouldBlock(result) { return result }
            if try !waitForSocket(deadline) { throw onTimeout() }
        }
    }

    /// Drives a call that returns an `Int32` status code; a negative code other than `EAGAIN` throws.
    @discardableResult
    func driveStatus(_ deadline: Deadline, what: String, onTimeout: () -> SSHError, _ call: () -> Int32) throws
        -> Int32
    {
        let rc = try drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: onTimeout, call)
        if rc < 0 { throw error(rc, while: what) }
        return rc
    }

    /// Drives a call that returns a pointer, NULL with `EAGAIN` meaning "try again".
    func drivePointer(_ deadline: Deadline, what: String, onTimeout: () -> SSHError, _ call: () -> OpaquePointer?)
        throws -> OpaquePointer
    {
        let result = try drive(
            deadline, until: { $0 == nil && libssh2_session_last_errno(raw) == LIBSSH2_ERROR_EAGAIN },
            onTimeout: onTimeout, call)
        guard let result else { throw error(libssh2_session_last_errno(raw), while: what) }
        return result
    }

    /// Waits until libssh2 can make progress. Returns false when the deadline passed first.
    /// Throws when the operation was cancelled or keepalives found the server gone.
    func waitForSocket(_ deadline: Deadline) throws -> Bool {
        let directions = libssh2_session_block_directions(raw)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var fds = [
            pollfd(fd: socket, events: events, revents: 0),
            pollfd(fd: interrupter.pollDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        var wake = deadline
        if let next = nextKeepaliveCheck { wake = wake.earlier(Deadline(instant: next)) }
        let ready = poll(&fds, 2, wake.pollTimeout)
        if ready < 0 && errno != EINTR {
            throw SSHError(.protocolError, host: host, "poll failed: \(SocketConnector.errnoText())")
        }
        if fds[1].revents != 0 && interrupter.runningOperationIsCancelled() && !cancellationMasked {
            throw SSHError(.cancelled, host: host, "cancelled")
        }
        try serviceKeepalive()
        if ready == 0 && deadline.hasPassed { return false }
        return true
    }

    /// Runs cleanup that must finish even though the operation was cancelled
    /// (stopping a command, removing a temp file); deadlines still apply.
    func uninterruptible<T>(_ body: () throws -> T) rethrows -> T {
        let previous = cancellationMasked
        cancellationMasked = true
        defer { cancellationMasked = previous }
        return try body()
    }

    /// libssh2's message for its last error.
    func lastErrorMessage() -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(raw, &message, &length, 0)
        guard let message, length > 0 else { return "unknown error" }
        return String(cString: message)
    }

    /// Turns a libssh2 error code into an `SSHError`: socket-level failures mean the connection is gone.
    func error(_ code: Int32, while what: String) -> SSHError {
        let message = lastErrorMessage()
        switch code {
        case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT,
            LIBSSH2_ERROR_SOCKET_TIMEOUT:
            return SSHError(.connectionLost, host: host, "connection lost while \(what): \(message)")
        default:
            return SSHError(.protocolError, host: host, "\(what) failed: \(message) (libssh2 error \(code))")
        }
    }

    /// Says goodbye politely, without waiting long for a server that may be gone.
    func disconnect() {
        let deadline = Deadline.after(.milliseconds(500))
        _ = try? drive(
            deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN },
            onTimeout: { SSHError(.connectionLost, host: host, "disconnect timed out") }
        ) {
            libssh2_session_disconnect_ex(raw, SSH_DISCONNECT_BY_APPLICATION, "skiff: done", "")
        }
    }
}
