#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens a non-blocking TCP connection with a real deadline: a refused port fails at once,
/// an unroutable or filtered one when the deadline passes.
enum SocketConnector {
    static func connect(address: String, port: Int, deadline: Deadline, host: String) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw SSHError(.unreachable, host: host, "cannot resolve \(address): \(reason)")
        }
        defer { freeaddrinfo(list) }

        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            do {
                return try connectOne(info.pointee, deadline: deadline)
            } catch let failure as ConnectFailure {
                lastError = failure.reason
                if failure.timedOut { break }
            }
        }
        throw SSHError(.unreachable, host: host, "cannot connect to \(address) port \(port): \(lastError)")
    }

    private struct ConnectFailure: Error {
        let reason: String
        let timedOut: Bool
    }

    private static func connectOne(_ info: addrinfo, deadline: Deadline) throws -> Int32 {
        let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard fd >= 0 else { throw ConnectFailure(reason: errnoText(), timedOut: false) }
        var keepFD = false
        defer { if !keepFD { close(fd) } }

        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))

        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw ConnectFailure(reason: errnoText(), timedOut: false) }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while true {
                let ready = poll(&pfd, 1, deadline.pollTimeout)
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 {
                    throw ConnectFailure(reason: "timed out", timedOut: true)
                }
                break
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 {
                throw ConnectFailure(reason: String(cString: strerror(soError)), timedOut: false)
            }
        }
        keepFD = true
        return fd
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
