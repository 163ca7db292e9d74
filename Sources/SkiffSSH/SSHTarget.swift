import SkiffCore

/// Where to connect and as whom.
public struct SSHTarget: Sendable, Hashable, CustomStringConvertible {
    /// The name people know the host by (the inventory name); shown in messages.
    public var name: String
    /// The address to connect to (`ansible_host`); also the name looked up in known_hosts.
    public var address: String
    public var port: Int
    public var user: String

    public init(name: String? = nil, address: String, port: Int = 22, user: String) {
        self.name = name ?? address
        self.address = address
        self.port = port
        self.user = user
    }

    /// `web01 (10.0.0.5:2222)`, or just the name when it is the address on port 22.
    public var description: String {
        if name == address && port == 22 { return name }
        return "\(name) (\(address):\(port))"
    }
}

/// How to connect: timeouts, host-key checking and keepalives.
public struct SSHOptions: Sendable {
    /// TCP connect plus SSH handshake plus authentication must finish within this.
    public var connectTimeout: Duration
    public var hostKeyPolicy: HostKeyPolicy
    /// known_hosts files to read; an accepted new key is appended to the first.
    public var knownHostsFiles: [String]
    /// Send a keepalive after this much silence from the server (OpenSSH's `ServerAliveInterval`).
    public var keepaliveInterval: Duration
    /// Give up after this many keepalive intervals without an answer (`ServerAliveCountMax`).
    public var keepaliveMaxMissed: Int

    public init(
        connectTimeout: Duration = .seconds(10),
        hostKeyPolicy: HostKeyPolicy = .strict,
        knownHostsFiles: [String] = SSHOptions.defaultKnownHostsFiles(),
        keepaliveInterval: Duration = .seconds(15),
        keepaliveMaxMissed: Int = 3
    ) {
        self.connectTimeout = connectTimeout
        self.hostKeyPolicy = hostKeyPolicy
        self.knownHostsFiles = knownHostsFiles
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveMaxMissed = keepaliveMaxMissed
    }

    /// `~/.ssh/known_hosts`, then the system-wide `/etc/ssh/ssh_known_hosts`, as OpenSSH reads them.
    public static func defaultKnownHostsFiles(home: String? = nil) -> [String] {
        let home = home ?? Environment.value("HOME") ?? "/root"
        return ["\(home)/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"]
    }
}
