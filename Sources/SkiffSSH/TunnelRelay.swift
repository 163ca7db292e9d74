import CLibSSH2
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The loop on a jump host's thread: opens `direct-tcpip` channels when asked and moves bytes between
/// every channel and its socket pair, with the session, the sockets and a wake-up pipe in one `poll(2)`.
final class TunnelRelay: @unchecked Sendable {
    /// Set on the jump host's thread before the loop starts; touched only there.
    var session: LibSSH2Session?
    /// Keeps the outer hop alive while this one runs over it.
    private let via: SSHJumpHost?
    private let name: String
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let state = Mutex(State())
    let openTunnelCount = Atomic<Int>(0)

    private struct State {
        var requests: [TunnelRequest] = []
        var stopping = false
        var failure: String?
        var ended = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Stops the loop and returns once it ended and the jump host's session is closed.
    func stopAndWait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = state.withLock { state -> Bool in
                state.stopping = true
                if !state.ended { state.waiters.append(continuation) }
                return state.ended
            }
            if ended { continuation.resume() } else { wake() }
        }
    }

    init(name: String, via: SSHJumpHost?) throws {
        self.name = name
        self.via = via
        var fds: [Int32] = [0, 0]
        guard makePipe(&fds) else {
            throw SSHError(.protocolError, host: name, "cannot create a pipe: \(SocketConnector.errnoText())")
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    func stop() {
        state.withLock { $0.stopping = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Called on the inner session's thread: asks the loop for a channel and waits for the answer.
    func openTunnel(to address: String, port: Int, deadline: Deadline, host: String, jumpHost: String) throws -> Int32 {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw SSHError(.unreachable, host: host, "cannot create a socket pair: \(SocketConnector.errnoText())")
        }
        for fd in pair { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) }
        let request = try TunnelRequest(address: address, port: port, fd: pair[1], host: host, via: jumpHost)
        let refused: String? = state.withLock {
            if let failure = $0.failure { return failure }
            if $0.stopping { return "the jump host connection is closed" }
            $0.requests.append(request)
            return nil
        }
        if let refused {
            close(pair[0])
            close(pair[1])
            throw SSHError(.unreachable, host: host, "cannot reach \(address):\(port) through \(jumpHost): \(refused)")
        }
        wake()
        do {
            try request.wait(deadline)
        } catch {
            close(pair[0])
            throw error
        }
        return pair[0]
    }

    /// The loop; returns when stopped or when the jump host's session failed.
    func run() {
        defer {
            let waiters = state.withLock { state in
                state.ended = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        guard let session else { return }
        var tunnels: [Tunnel] = []
        var queue: [TunnelRequest] = []
        var unfreed: [OpaquePointer] = []
        var failure: String?
        while failure == nil {
            var drain = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &drain, drain.count) > 0 {}
            let (requests, stopping) = state.withLock { state in
                defer { state.requests = [] }
                return (state.requests, state.stopping)
            }
            queue += requests
            if stopping { break }

            // libssh2 opens one direct-tcpip channel at a time: keep calling until the head is done.
            if let request = queue.first {
                if let channel = libssh2_channel_direct_tcpip_ex(session.raw, request.address, Int32(request.port), "127.0.0.1", 22) {
                    queue.removeFirst()
                    tunnels.append(Tunnel(channel: channel, fd: request.fd))
                    openTunnelCount.wrappingAdd(1, ordering: .relaxed)
                    request.complete(nil)
                    continue
                } else if !Tunnel.mustWait(Int(libssh2_session_last_errno(session.raw))) {
                    queue.removeFirst()
                    close(request.fd)
                    request.complete("the jump host could not open a channel: \(session.lastErrorMessage())")
                    if Self.isSocketError(libssh2_session_last_errno(session.raw)) { failure = "connection lost" }
                    continue
                }
            }

            var moved = true
            while moved {
                moved = false
                for tunnel in tunnels where tunnel.pump() { moved = true }
            }
            for tunnel in tunnels where tunnel.finished {
                unfreed.append(tunnel.channel)
                openTunnelCount.wrappingSubtract(1, ordering: .relaxed)
            }
            tunnels.removeAll { $0.finished }
            unfreed = unfreed.filter { libssh2_channel_free($0) == LIBSSH2_ERROR_EAGAIN }
            if Self.isSocketError(libssh2_session_last_errno(session.raw)) {
                failure = "connection lost: \(session.lastErrorMessage())"
                break
            }

            let directions = libssh2_session_block_directions(session.raw)
            var events: Int16 = Int16(POLLIN)
            if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
            var fds = [pollfd(fd: session.socket, events: events, revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            fds += tunnels.map { pollfd(fd: $0.fd, events: $0.pollEvents, revents: 0) }
            var wakeAt = Deadline.after(.seconds(1))
            if let next = session.nextKeepaliveCheck { wakeAt = wakeAt.earlier(Deadline(instant: next)) }
            _ = poll(&fds, nfds_t(fds.count), wakeAt.pollTimeout)
            do { try session.serviceKeepalive() } catch { failure = "\(error)" }
        }
        let reason = failure ?? "the jump host connection is closed"
        let pending = state.withLock { state in
            state.failure = reason
            defer { state.requests = [] }
            return state.requests
        }
        for request in queue + pending {
            close(request.fd)
            request.complete(reason)
        }
        for tunnel in tunnels {
            tunnel.finish()
            openTunnelCount.wrappingSubtract(1, ordering: .relaxed)
        }
        self.session = nil
        session.disconnect()
    }

    private static func isSocketError(_ code: Int32) -> Bool {
        [LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT].contains(code)
    }
}

/// A request for a channel, answered by the jump host's loop through a pipe the asking thread polls.
final class TunnelRequest: Sendable {
    let address: String
    let port: Int
    /// The relay's end of the socket pair.
    let fd: Int32
    let host: String
    let via: String
    private let answer = Mutex<String??>(nil)
    private let signalRead: Int32
    private let signalWrite: Int32

    init(address: String, port: Int, fd: Int32, host: String, via: String) throws {
        self.address = address
        self.port = port
        self.fd = fd
        self.host = host
        self.via = via
        var fds: [Int32] = [0, 0]
        guard makePipe(&fds) else {
            close(fd)
            throw SSHError(.protocolError, host: host, "cannot create a pipe: \(SocketConnector.errnoText())")
        }
        signalRead = fds[0]
        signalWrite = fds[1]
    }

    deinit {
        close(signalRead)
        close(signalWrite)
    }

    /// Called by the relay: nil when the channel is open, else why not.
    func complete(_ failure: String?) {
        answer.withLock { $0 = .some(failure) }
        var byte: UInt8 = 1
        _ = write(signalWrite, &byte, 1)
    }

    func wait(_ deadline: Deadline) throws {
        while true {
            if let outcome = answer.withLock({ $0 }) {
                guard let failure = outcome else { return }
                throw SSHError(.unreachable, host: host, "cannot reach \(address):\(port) through \(via): \(failure)")
            }
            var pfd = pollfd(fd: signalRead, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, deadline.pollTimeout) == 0 && deadline.hasPassed {
                throw SSHError(.unreachable, host: host, "timed out opening a channel to \(address):\(port) through \(via)")
            }
        }
    }
}

/// A pipe whose ends are close-on-exec and non-blocking.
func makePipe(_ fds: inout [Int32]) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
    }
    return true
}
