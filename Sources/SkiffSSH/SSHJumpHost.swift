import CLibSSH2
import SkiffCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An authenticated connection to a jump host (OpenSSH's `ProxyJump`, a bastion) that carries other
/// hosts' SSH sessions: each one runs over a `direct-tcpip` channel of this session, so the target's
/// address only needs to be reachable from the jump host. One jump host connection serves every host
/// behind it; it closes when the last connection through it is gone.
public final class SSHJumpHost: Sendable {
    public let target: SSHTarget
    /// The host key the jump host proved it holds (checked against known_hosts like any host's).
    public let hostKey: HostKey
    private let queue: SessionQueue
    private let relay: TunnelRelay

    private init(target: SSHTarget, hostKey: HostKey, queue: SessionQueue, relay: TunnelRelay) {
        self.target = target
        self.hostKey = hostKey
        self.queue = queue
        self.relay = relay
    }

    /// Connects to the jump host (itself through `via`, for a chain of hops), checks its host key and
    /// authenticates, within `options.connectTimeout`.
    public static func connect(
        to target: SSHTarget, options: SSHOptions, credentials: SSHCredentials, knownHosts: KnownHosts,
        via: SSHJumpHost? = nil
    ) async throws -> SSHJumpHost {
        LibSSH2Runtime.ensureInitialized()
        let queue = SessionQueue(ownThread: true)
        let relay = try TunnelRelay(name: target.description, via: via)
        do {
            let hostKey = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HostKey, Error>) in
                queue.submit {
                    continuation.resume(with: Result {
                        let opened = try SessionOpener(
                            target: target, options: options, credentials: credentials, knownHosts: knownHosts,
                            interrupter: Interrupter(), via: via
                        ).open()
                        relay.session = opened.session
                        return opened.hostKey
                    })
                }
            }
            queue.submit { relay.run() }
            queue.stop()
            let jumpHost = SSHJumpHost(target: target, hostKey: hostKey, queue: queue, relay: relay)
            openJumpHosts.withLock { $0.append(relay) }
            return jumpHost
        } catch {
            queue.stop()
            throw error
        }
    }

    /// Opens a channel to `address:port` and returns the socket an SSH session runs over. Blocks the
    /// calling thread (a connection's worker) until the jump host opened the channel or `deadline` passed.
    func openTunnel(to address: String, port: Int, deadline: Deadline, host: String) throws -> Int32 {
        try relay.openTunnel(to: address, port: port, deadline: deadline, host: host, jumpHost: target.description)
    }

    /// How many channels are open through this jump host now.
    public var openTunnels: Int { relay.openTunnelCount.load(ordering: .relaxed) }

    /// Closes the jump host's connection (the channels through it end) and waits until it is closed.
    public func close() async {
        await relay.stopAndWait()
    }

    /// Closes every jump host connection still open, the innermost hops first, and waits for each:
    /// a process ends only after this, so that no jump host's thread still drives libssh2 while the
    /// process tears down.
    public static func closeAll() async {
        let relays = openJumpHosts.withLock { relays in
            defer { relays = [] }
            return relays
        }
        for relay in relays.reversed() { await relay.stopAndWait() }
    }

    deinit {
        relay.stop()
    }
}

/// The loops of the jump hosts opened in this process, in the order they were opened.
private let openJumpHosts = Mutex<[TunnelRelay]>([])
