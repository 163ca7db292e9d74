import ArgumentParser
import SkiffCore
import SkiffSSH

/// How to reach hosts: the options every command that connects shares.
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("u"), .long], help: "Remote user (default: $SKIFF_REMOTE_USER, ansible.cfg's remote_user, else $USER).")
    var user: String?

    @Option(name: .long, help: "Private key file to authenticate with (repeatable; default $SKIFF_PRIVATE_KEY_FILE or ansible.cfg's private_key_file). Its passphrase comes from $SKIFF_PRIVATE_KEY_PASSPHRASE, --passphrase-file or a prompt.")
    var privateKey: [String] = []

    @Option(name: .long, help: "File holding the private key's passphrase.")
    var passphraseFile: String?

    @Flag(name: [.customShort("k"), .long], help: "Ask for the SSH password (or set $SKIFF_PASSWORD / --password-file).")
    var askPass = false

    @Option(name: .long, help: "File holding the SSH password.")
    var passwordFile: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "Offer the ssh-agent's keys ($SSH_AUTH_SOCK).")
    var agent = true

    @Option(name: .customLong("host-key-checking"), help: "Host keys: strict (default), accept-new, or off (insecure: trusts any server). Default from $SKIFF_HOST_KEY_CHECKING or ansible.cfg's host_key_checking, else ssh_config's StrictHostKeyChecking.")
    var hostKeyCheckingOption: String?

    @Option(name: .long, help: "known_hosts file (repeatable; default $SKIFF_KNOWN_HOSTS, else ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts).")
    var knownHosts: [String] = Environment.value("SKIFF_KNOWN_HOSTS").map { [$0] } ?? []

    @Option(name: [.customShort("T"), .customLong("timeout")], help: "Connect timeout in seconds (default $SKIFF_TIMEOUT, or ansible.cfg's timeout, else ssh_config's ConnectTimeout, else 10).")
    var timeoutOption: Double?

    @Option(name: .long, help: "OpenSSH options for every host (-o Key=Value, -J, -F, -p, -l, -i), as ansible_ssh_common_args; the host's variable wins.")
    var sshCommonArgs: String?

    @Option(name: .long, help: "More OpenSSH options for every host, as ansible_ssh_extra_args; the host's variable wins.")
    var sshExtraArgs: String?

    /// `--host-key-checking`, else the environment's or ansible.cfg's setting.
    var hostKeyChecking: String? { hostKeyCheckingOption ?? ConfiguredDefaults.current.configuredHostKeyChecking }

    /// `--timeout`, else the environment's or ansible.cfg's setting.
    var timeout: Double? { timeoutOption ?? ConfiguredDefaults.current.configuredTimeout }

    func validate() throws {
        if let hostKeyChecking, HostKeyPolicy(option: hostKeyChecking) == nil {
            throw ValidationError("--host-key-checking must be strict, accept-new or off, not '\(hostKeyChecking)'")
        }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        for (name, value) in [("--ssh-common-args", sshCommonArgs), ("--ssh-extra-args", sshExtraArgs)] {
            guard let value else { continue }
            var arguments = SSHArguments()
            do { try arguments.parse(value) } catch { throw ValidationError("\(name) '\(value)': \(error.message)") }
        }
    }

    var defaultUser: String {
        user ?? ConfiguredDefaults.current.remoteUser ?? Environment.value("USER") ?? "root"
    }

    func sshOptions() -> SSHOptions {
        let policy = hostKeyChecking.flatMap { HostKeyPolicy(option: $0) } ?? .strict
        if policy == .insecureAcceptAnyHostKey {
            Console.warn("host key checking is OFF: any server, including an attacker in the middle, is believed")
        }
        return SSHOptions(
            connectTimeout: .milliseconds(Int((timeout ?? 10) * 1000)), hostKeyPolicy: policy,
            knownHostsFiles: knownHosts.isEmpty ? SSHOptions.defaultKnownHostsFiles() : knownHosts)
    }

    /// The factory a run connects with: these options, known_hosts read once, keys and secrets read once.
    /// A run that works on at most `forks` hosts at once bounds the SSH worker threads by it.
    func connectionFactory(forks: Int?) throws -> SSHConnectionFactory {
        if let forks { SSHWorkerThreads.bound(toConnectionsAtOnce: forks) }
        let planner = ConnectionPlanner(
            explicitUser: user ?? ConfiguredDefaults.current.remoteUser,
            explicitTimeout: timeout.map { .milliseconds(Int($0 * 1000)) },
            explicitPolicy: hostKeyChecking.flatMap { HostKeyPolicy(option: $0) },
            explicitKnownHosts: knownHosts.isEmpty ? nil : knownHosts, commonArgs: sshCommonArgs,
            extraArgs: sshExtraArgs, localUser: Environment.value("USER") ?? "root",
            home: Environment.value("HOME") ?? "/root")
        return SSHConnectionFactory(planner: planner, credentials: try credentials())
    }

    /// Reads every key file and secret once, for all hosts.
    func credentials() throws -> SSHCredentials {
        var keyFiles: [PrivateKeyFile] = []
        for path in privateKey.isEmpty ? ConfiguredDefaults.current.privateKeyFiles : privateKey {
            var key = try PrivateKeyFile(path: path)
            if key.isEncrypted {
                let passphrase = try SecretInput.read(
                    environment: "SKIFF_PRIVATE_KEY_PASSPHRASE", file: passphraseFile,
                    prompt: "Passphrase for \(path): ")
                key = try PrivateKeyFile(path: path, passphrase: passphrase)
            }
            keyFiles.append(key)
        }
        var password: Sensitive<String>?
        if askPass || passwordFile != nil || Environment.value("SKIFF_PASSWORD") != nil {
            password = try SecretInput.read(environment: "SKIFF_PASSWORD", file: passwordFile, prompt: "SSH password: ")
        }
        let agentSocket = agent ? Environment.value("SSH_AUTH_SOCK") : nil
        return SSHCredentials(keyFiles: keyFiles, agentSocket: agentSocket, password: password)
    }
}
