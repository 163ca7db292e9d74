import Foundation

/// A real OpenSSH `sshd` on loopback, started for a test and stopped when the test is done.
///
/// Each host has its own host keys, port, authorized_keys and a private `/tmp` (it runs in its own
/// mount namespace), and its sessions find `bin/` of the host directory first on their PATH.
/// Requires root, as CI and the development machines have.
public final class TestHost: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var authorizedKeys: [String] = []
        /// When set, root may log in with this password (a private `/etc/shadow` is mounted for sshd).
        public var password: String?
        public var hostKeyTypes: [String] = ["ed25519", "ecdsa"]
        /// Extra `sshd_config` lines.
        public var extraConfig: [String] = []
        /// A non-root user who may log in with the authorized keys (home /tmp), seen only by this host: it
        /// gets private copies of /etc/passwd, /etc/group and /etc/shadow, and a private /etc/sudoers
        /// that lets it run anything through sudo after giving `sudoPassword`.
        public var loginUser: String?
        public var sudoPassword: String?
        /// The host looks booted with systemd: a private `/run` holds `/run/systemd/system` (how Ansible
        /// and Skiff's `service` tell a systemd host). Put a stand-in `systemctl` in `bin/`.
        public var bootedWithSystemd = false
        /// The host's own /etc (a copy: useradd and groupadd write /etc/passwd, group, shadow, gshadow
        /// and their lock files there), /home, /var/mail and /var/log (lastlog), seen only by this host.
        public var privateAccounts = false
        /// Also the host's own package state: a copy of /var/lib/dpkg, and empty /var/lib/apt,
        /// /var/cache/apt and /opt (where test packages install). Implies `privateAccounts` (its /etc
        /// holds /etc/apt, whose sources the test writes under `etc/apt/` of the host's directory).
        public var privatePackages = false
        /// Runs sshd in this network namespace (see `NetworkNamespace`), listening on `listenAddress` there.
        public var networkNamespace: String?
        public var listenAddress = "127.0.0.1"

        public init(authorizedKeys: [String] = [], password: String? = nil) {
            self.authorizedKeys = authorizedKeys
            self.password = password
        }
    }

    /// The address sshd listens on (in its network namespace, when it has one).
    public let address: String
    public let port: Int
    public let directory: ScratchDirectory
    /// The process id of the listening sshd.
    public let pid: pid_t
    private var stopped = false
    private let logPath: String

    /// Starts a host; when another process took its port between choosing and binding, tries another.
    public static func start(_ configuration: Configuration = Configuration()) throws -> TestHost {
        var attempt = 0
        while true {
            do {
                return try TestHost(configuration)
            } catch let failure as Shell.Failure where failure.output.contains("Address already in use") && attempt < 5 {
                attempt += 1
            }
        }
    }

    private init(_ configuration: Configuration) throws {
        directory = try ScratchDirectory("host")
        address = configuration.listenAddress
        port = try Self.freePort()
        logPath = directory.file("sshd.log")
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.file("bin"), withIntermediateDirectories: true)

        var config = [
            "Port \(port)", "ListenAddress \(address)", "PidFile none",
            "AuthorizedKeysFile \(directory.file("authorized_keys"))", "StrictModes no",
            "PermitRootLogin yes", "PubkeyAuthentication yes", "KbdInteractiveAuthentication no",
            "PasswordAuthentication \(configuration.password == nil ? "no" : "yes")", "UsePAM no",
            "MaxStartups 1000:30:1000", "MaxSessions 100", "LogLevel VERBOSE", "UseDNS no", "PrintMotd no",
            "Subsystem sftp internal-sftp",
            "SetEnv PATH=\(directory.file("bin")):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        for type in configuration.hostKeyTypes {
            let keyPath = directory.file("ssh_host_\(type)_key")
            try Shell.run(["ssh-keygen", "-q", "-t", type, "-N", "", "-f", keyPath])
            config.append("HostKey \(keyPath)")
        }
        config += configuration.extraConfig
        try directory.write("sshd_config", config.joined(separator: "\n") + "\n")
        try directory.write("bin/docker", Self.dockerShim(log: directory.file("docker.log"), failures: directory.path), mode: 0o755)
        try directory.write("authorized_keys", configuration.authorizedKeys.joined(separator: "\n") + "\n", mode: 0o600)

        // A private /tmp, and ~/.skiff (the deploy lock) of its own, as on a separate machine.
        try FileManager.default.createDirectory(atPath: "/root/.skiff", withIntermediateDirectories: true)
        var setup = ["mount -t tmpfs -o mode=1777 tmpfs /tmp", "mount -t tmpfs -o mode=700 tmpfs /root/.skiff"]
        // A test host is a clean server: root's shell start-up files on this machine (bash sources
        // ~/.bashrc for commands run by sshd) are hidden behind an empty file.
        let empty = try directory.write("empty", "")
        for startup in [".bashrc", ".profile"] where FileManager.default.fileExists(atPath: "/root/\(startup)") {
            setup.append("mount --bind \(empty) /root/\(startup)")
        }
        if configuration.privateAccounts || configuration.privatePackages {
            let etc = directory.file("etc")
            try Shell.run(["cp", "-a", "/etc", etc])
            setup.append("mount --bind \(etc) /etc")
            for path in ["/home", "/var/mail", "/var/log"] { setup.append("mount -t tmpfs -o mode=755 tmpfs \(path)") }
        }
        if configuration.privatePackages {
            let dpkg = directory.file("dpkg")
            try Shell.run(["cp", "-a", "/var/lib/dpkg", dpkg])
            setup.append("mount --bind \(dpkg) /var/lib/dpkg")
            for path in ["/var/lib/apt", "/var/cache/apt", "/opt"] { setup.append("mount -t tmpfs -o mode=755 tmpfs \(path)") }
            setup.append("mkdir -p /var/lib/apt/lists/partial /var/lib/apt/periodic /var/cache/apt/archives/partial /var/log/apt")
        }
        if configuration.bootedWithSystemd {
            setup.append("mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/sshd /run/systemd/system")
        }
        if configuration.password != nil || configuration.loginUser != nil {
            let shadow = try Self.shadowFile(rootPassword: configuration.password, user: configuration.loginUser,
                                             userPassword: configuration.sudoPassword, in: directory)
            setup.append("mount --bind \(shadow) /etc/shadow")
        }
        if let user = configuration.loginUser {
            // sshd reads authorized_keys as the user.
            chmod(directory.path, 0o711)
            chmod(directory.file("authorized_keys"), 0o644)
            for file in ["passwd", "group"] {
                let original = try String(contentsOfFile: "/etc/\(file)", encoding: .utf8)
                let line = file == "passwd" ? "\(user):x:4242:4242::/tmp:/bin/sh" : "\(user):x:4242:"
                let copy = try directory.write(file, original + line + "\n", mode: 0o644)
                setup.append("mount --bind \(copy) /etc/\(file)")
            }
            let sudoers = try directory.write("sudoers", "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n\(user) ALL=(ALL:ALL) ALL\n", mode: 0o440)
            setup.append("mount --bind \(sudoers) /etc/sudoers")
        }
        let script = setup.joined(separator: " && ")
            + " && exec /usr/sbin/sshd -D -f \(directory.file("sshd_config")) -E \(logPath)"
        let namespace = configuration.networkNamespace.map { ["/usr/sbin/ip", "netns", "exec", $0] } ?? []
        pid = try Shell.spawn(namespace + ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script])
        do {
            try waitUntilListening()
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Stops sshd and every session it started.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        signalAll(SIGKILL)
        Shell.wait(for: pid)
    }

    /// Sends `signal` to the listening sshd and all its session processes.
    /// `SIGSTOP` makes the host go silent with its connections left open, as a host that died
    /// behind a firewall does; `SIGKILL` makes it drop them.
    public func signalAll(_ signal: Int32) {
        for child in Self.descendants(of: pid) { kill(child, signal) }
        kill(pid, signal)
    }

    /// What the `docker` shim on this host received, one block per call.
    public var dockerLog: String { (try? String(contentsOfFile: directory.file("docker.log"), encoding: .utf8)) ?? "" }

    /// Makes the shim fail calls whose arguments contain `words` (e.g. "compose up"), with exit 1.
    public func failDocker(when words: String) throws {
        try directory.write("docker-fail", words + "\n")
    }

    /// The docker shim succeeds again.
    public func stopFailingDocker() {
        try? FileManager.default.removeItem(atPath: directory.file("docker-fail"))
    }

    /// The `docker` stand-in: records argv, VERSION, DOCKER_CONFIG, stdin of `login --password-stdin`,
    /// and the content hash of compose files passed with -f; fails when docker-fail says so.
    static func dockerShim(log: String, failures: String) -> String {
        """
        #!/bin/sh
        log='\(log)'
        {
          printf 'argv:'; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'
          printf 'env: VERSION=%s DOCKER_CONFIG=%s\\n' "${VERSION-<unset>}" "${DOCKER_CONFIG-<unset>}"
        } >> "$log"
        case " $* " in *" --password-stdin "*) printf 'stdin: %s\\n' "$(cat)" >> "$log" ;; esac
        previous=''
        for a in "$@"; do
          if [ "$previous" = "-f" ]; then
            if [ -f "$a" ]; then printf 'file: %s sha256=%s\\n' "$a" "$(sha256sum < "$a" | cut -d' ' -f1)" >> "$log"; else printf 'file: %s missing\\n' "$a" >> "$log"; fi
          fi
          previous="$a"
        done
        if [ -f '\(failures)/docker-fail' ] && case " $* " in *" $(cat '\(failures)/docker-fail') "*) true ;; *) false ;; esac; then
          echo "shim: failing as asked" >&2; exit 1
        fi
        case " $* " in *" up "*) echo " Container app-1  Started" >&2 ;; *" logout "*) echo "Removing login credentials" ;; *" login "*) echo "Login Succeeded" ;; esac
        exit 0
        """
    }

    /// Where a path inside the host's private mount namespace (its `/tmp`) shows from outside.
    public func pathInside(_ path: String) -> String { "/proc/\(pid)/root\(path)" }

    /// The public key of one host-key type, as `TYPE BASE64`.
    public func hostPublicKey(_ type: String = "ed25519") throws -> String {
        let line = try String(contentsOfFile: directory.file("ssh_host_\(type)_key.pub"), encoding: .utf8)
        return line.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// `ssh-keygen -l` of a host key: `256 SHA256:… comment (ED25519)`.
    public func hostKeyFingerprint(_ type: String = "ed25519") throws -> String {
        let output = try Shell.run(["ssh-keygen", "-l", "-f", directory.file("ssh_host_\(type)_key.pub")])
        return String(output.split(separator: " ")[1])
    }

    /// A known_hosts line for this host (`[127.0.0.1]:PORT TYPE KEY`).
    public func knownHostsLine(_ type: String = "ed25519") throws -> String {
        "[\(address)]:\(port) \(try hostPublicKey(type))"
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if log.contains("Server listening on") { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                stopped = true
                throw Shell.Failure(command: ["sshd"], status: status, output: log)
            }
            usleep(10_000)
        }
        throw Shell.Failure(command: ["sshd"], status: -1, output: "not listening after 10 s: " + log)
    }

    private static func shadowFile(rootPassword: String?, user: String?, userPassword: String?, in directory: ScratchDirectory) throws -> String {
        func hash(_ password: String) throws -> String {
            try Shell.run(["openssl", "passwd", "-6", "-stdin"], stdin: password + "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let original = (try? String(contentsOfFile: "/etc/shadow", encoding: .utf8)) ?? ""
        var lines = original.split(separator: "\n").map(String.init)
        if let rootPassword {
            lines = lines.filter { !$0.hasPrefix("root:") }
            lines.insert("root:\(try hash(rootPassword)):19000:0:99999:7:::", at: 0)
        }
        if let user {
            // "*" would lock the account for sshd too; a hash of the sudo password (or of nothing) keeps it usable.
            lines.append("\(user):\(try hash(userPassword ?? "")):19000:0:99999:7:::")
        }
        return try directory.write("shadow", lines.joined(separator: "\n") + "\n", mode: 0o640)
    }

    /// Picks a port nothing listens on, below the kernel's ephemeral range (so that outgoing
    /// connections, which take ephemeral ports, do not race the host for it).
    public static func freePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20000..<32000)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if bound == 0 { return port }
        }
        throw Shell.Failure(command: ["bind"], status: errno, output: "no free port found")
    }

    /// Every process below `pid`, found through `/proc/*/stat`.
    static func descendants(of pid: Int32) -> [Int32] {
        var parents: [Int32: [Int32]] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[parent, default: []].append(child) }
        }
        var result: [Int32] = []
        var queue = [pid]
        while let next = queue.popLast() {
            let children = parents[next] ?? []
            result += children
            queue += children
        }
        return result
    }
}
