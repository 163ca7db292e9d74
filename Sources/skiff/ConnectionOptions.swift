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

    @Option(name: .long, help: "Host keys: strict (default), accept-new, or off (insecure: trusts any server). Default from $SKIFF_HOST_KEY_CHECKING or ansible.cfg's host_key_checking.")
    var hostKeyChecking: String = ConfiguredDefaults.current.hostKeyChecking

    @Option(name: .long, help: "known_hosts file (repeatable; default $SKIFF_KNOWN_HOSTS, else ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts).")
    var knownHosts: [String] = Environment.value("SKIFF_KNOWN_HOSTS").map { [$0] } ?? []

    @Option(name: [.customShort("T"), .long], help: "Connect timeout in seconds (default 10, or $SKIFF_TIMEOUT, or ansible.cfg's timeout).")
    var timeout: Double = ConfiguredDefaults.current.timeout

    func validate() throws {
        guard HostKeyPolicy(option: hostKeyChecking) != nil else {
            throw ValidationError("--host-key-checking must be strict, accept-new or off, not '\(hostKeyChecking)'")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    var defaultUser: String {
        user ?? ConfiguredDefaults.current.remoteUser ?? Environment.value("USER") ?? "root"
    }

    func sshOptions() -> SSHOptions {
        let policy = HostKeyPolicy(option: hostKeyChecking) ?? .strict
        if policy == .insecureAcceptAnyHostKey {
            Console.warn("host key checking is OFF: any server, including an attacker in the middle, is believed")
        }
        return SSHOptions(
            connectTimeout: .milliseconds(Int(timeout * 1000)), hostKeyPolicy: policy,
            knownHostsFiles: knownHosts.isEmpty ? SSHOptions.defaultKnownHostsFiles() : knownHosts)
    }

    /// The factory a run connects with: these options, known_hosts read once, keys and secrets read once.
    func connectionFactory() throws -> SSHConnectionFactory {
        let options = sshOptions()
        return SSHConnectionFactory(
            options: options, knownHosts: try KnownHosts.load(files: options.knownHostsFiles),
            defaultUser: defaultUser, credentials: try credentials())
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
