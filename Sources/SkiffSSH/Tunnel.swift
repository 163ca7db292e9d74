import CLibSSH2
#if canImport(Glibc)
import Glibc
#endif

/// One `direct-tcpip` channel of a jump host's session joined to one end of a socket pair: bytes read
/// from the socket go into the channel, bytes from the channel go to the socket. The other end of the
/// pair is the socket the inner SSH session runs over. Lives on the jump host's thread only.
final class Tunnel {
    let channel: OpaquePointer
    let fd: Int32
    private var toChannel: [UInt8] = []
    private var toSocket: [UInt8] = []
    private var socketEOF = false
    private var channelEOF = false
    private var sentEOF = false
    private(set) var finished = false
    private static let bufferLimit = 256 * 1024
    private static let chunk = 32 * 1024

    init(channel: OpaquePointer, fd: Int32) {
        self.channel = channel
        self.fd = fd
    }

    /// What to wait for on the local socket.
    var pollEvents: Int16 {
        var events: Int16 = 0
        if !socketEOF && toChannel.count < Self.bufferLimit { events |= Int16(POLLIN) }
        if !toSocket.isEmpty { events |= Int16(POLLOUT) }
        return events
    }

    /// Moves whatever can move without blocking; returns true when some byte moved.
    func pump() -> Bool {
        guard !finished else { return false }
        var progress = false
        var buffer = [UInt8](repeating: 0, count: Self.chunk)
        if !socketEOF && toChannel.count < Self.bufferLimit {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got > 0 {
                toChannel += buffer[..<got]
                progress = true
            } else if got == 0 || (errno != EAGAIN && errno != EINTR) {
                socketEOF = true
                progress = true
            }
        }
        while !toChannel.isEmpty {
            let sent = toChannel.withUnsafeBytes {
                libssh2_channel_write_ex(channel, 0, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
            }
            if sent > 0 {
                toChannel.removeFirst(sent)
                progress = true
            } else if Self.mustWait(sent) {
                break
            } else {
                return finish()
            }
        }
        if socketEOF && toChannel.isEmpty && !sentEOF {
            let rc = libssh2_channel_send_eof(channel)
            if !Self.mustWait(Int(rc)) { sentEOF = true }
        }
        while !channelEOF && toSocket.count < Self.bufferLimit {
            let got = buffer.withUnsafeMutableBytes {
                libssh2_channel_read_ex(channel, 0, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
            }
            if got > 0 {
                toSocket += buffer[..<got]
                progress = true
            } else if got != 0 && Self.mustWait(got) {
                break
            } else if got == 0 {
                if libssh2_channel_eof(channel) != 0 {
                    channelEOF = true
                    progress = true
                }
                break
            } else {
                return finish()
            }
        }
        while !toSocket.isEmpty {
            let written = toSocket.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                toSocket.removeFirst(written)
                progress = true
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                break
            } else {
                return finish()
            }
        }
        if channelEOF && toSocket.isEmpty && (socketEOF || sentEOF) { return finish() }
        if channelEOF && toSocket.isEmpty { shutdown(fd, Int32(SHUT_WR)) }
        return progress
    }

    /// Whether a libssh2 result means "not now": `EAGAIN`; 0 from a write (the channel's window is full
    /// until the server adjusts it); or `BAD_USE`, which libssh2 returns when another channel's packet is
    /// still half sent on the shared session; the call that started that packet completes it on its next
    /// turn, as every tunnel is pumped on every pass.
    static func mustWait(_ result: Int) -> Bool {
        result == 0 || result == Int(LIBSSH2_ERROR_EAGAIN) || result == Int(LIBSSH2_ERROR_BAD_USE)
    }

    /// Closes the local socket; the channel is freed by the jump host.
    @discardableResult
    func finish() -> Bool {
        if !finished {
            finished = true
            close(fd)
        }
        return true
    }
}
