import SkiffCore
import SkiffInventory
import SkiffRunner
import SkiffSSH
import Synchronization

/// Decides where and how to reach one host, as ansible-playbook running OpenSSH would. The first value
/// given wins: the host's variables (`ansible_port`, `ansible_user`, `ansible_ssh_private_key_file`), then
/// Skiff's command line (`-u`, `--timeout`, `--host-key-checking`, `--known-hosts` when given), then
/// `-o Key=Value`/`-J`/`-p`/`-l`/`-i` in `ansible_ssh_common_args` and `ansible_ssh_extra_args` (or
/// `--ssh-common-args`/`--ssh-extra-args`), then the ssh_config file (`-F FILE` there, else
/// `~/.ssh/config`) matched against `ansible_host`, then OpenSSH's defaults.
final class ConnectionPlanner: Sendable {
    /// One SSH hop: the target itself or a jump host on the way.
    struct Hop: Sendable {
        var target: SSHTarget
        var options: SSHOptions
        /// Key files that must load (given by the inventory or an option).
        var keyFiles: [String]
        /// Key files from ssh_config, skipped when missing, as ssh does.
        var configKeyFiles: [String]
        var identitiesOnly: Bool
    }

    struct Plan: Sendable {
        var host: Hop
        /// The jump hosts, outermost first.
        var jumps: [Hop]
    }

    let explicitUser: String?
    let explicitTimeout: Duration?
    let explicitPolicy: HostKeyPolicy?
    let explicitKnownHosts: [String]?
    let commonArgs: String?
    let extraArgs: String?
    let localUser: String
    let home: String
    private let configs = Mutex<[String: SSHConfigFile]>([:])

    init(
        explicitUser: String?, explicitTimeout: Duration?, explicitPolicy: HostKeyPolicy?,
        explicitKnownHosts: [String]?, commonArgs: String?, extraArgs: String?, localUser: String, home: String
    ) {
        self.explicitUser = explicitUser
        self.explicitTimeout = explicitTimeout
        self.explicitPolicy = explicitPolicy
        self.explicitKnownHosts = explicitKnownHosts
        self.commonArgs = commonArgs
        self.extraArgs = extraArgs
        self.localUser = localUser
        self.home = home
    }

    /// The plan for `host`; errors name the host and the variable, option or config line at fault.
    func plan(host: String, settings: ConnectionVariables) throws -> Plan {
        var arguments = SSHArguments()
        for (name, value) in [
            (settings.sshCommonArgs != nil ? "ansible_ssh_common_args" : "--ssh-common-args", settings.sshCommonArgs ?? commonArgs),
            (settings.sshExtraArgs != nil ? "ansible_ssh_extra_args" : "--ssh-extra-args", settings.sshExtraArgs ?? extraArgs),
        ] {
            guard let value else { continue }
            do { try arguments.parse(value) } catch {
                throw UnreachableError("host '\(host)': \(name) '\(value)': \(error.message)")
            }
        }
        var wanted = SSHHostSettings()
        wanted.port = settings.port
        wanted.user = settings.user ?? explicitUser
        if let key = settings.privateKeyFile { wanted.identityFiles = [key] }
        wanted.connectTimeout = explicitTimeout
        wanted.strictHostKeyChecking = explicitPolicy
        wanted.merge(arguments.settings)
        let config: SSHConfigFile?
        do {
            config = try configFile(arguments.configFile)
        } catch let error as UnreachableError {
            throw UnreachableError("host '\(host)': \(error.message)")
        }
        let explicitKeys = wanted.identityFiles
        do {
            try config?.resolve(host: settings.address, localUser: localUser, into: &wanted)
        } catch {
            throw UnreachableError("host '\(host)': \(error)")
        }
        let hop = try makeHop(name: host, original: settings.address, settings: wanted, explicitKeys: explicitKeys.count)
        var jumps: [Hop] = []
        for spec in wanted.proxyJump ?? [] {
            var jump = SSHHostSettings()
            jump.user = spec.user
            jump.port = spec.port
            jump.connectTimeout = explicitTimeout
            jump.strictHostKeyChecking = explicitPolicy
            do {
                try config?.resolve(host: spec.host, localUser: localUser, into: &jump)
            } catch {
                throw UnreachableError("host '\(host)': jump host \(spec): \(error)")
            }
            if jump.connectTimeout == nil { jump.connectTimeout = wanted.connectTimeout }
            jumps.append(try makeHop(name: spec.host, original: spec.host, settings: jump, explicitKeys: 0))
        }
        return Plan(host: hop, jumps: jumps)
    }

    private func makeHop(name: String, original: String, settings: SSHHostSettings, explicitKeys: Int) throws -> Hop {
        let address = try expand(settings.hostName ?? "%h", what: "HostName", host: original, user: "", port: 22)
        let port = settings.port ?? 22
        let user = settings.user ?? localUser
        func paths(_ list: [String], _ what: String) throws -> [String] {
            try list.map { try expand($0, what: what, host: address, user: user, port: port) }
        }
        let keys = try paths(settings.identityFiles, "IdentityFile")
        let knownHosts = try explicitKnownHosts
            ?? settings.userKnownHostsFiles.map { try paths($0, "UserKnownHostsFile") + ["/etc/ssh/ssh_known_hosts"] }
            ?? SSHOptions.defaultKnownHostsFiles(home: home)
        var options = SSHOptions(
            connectTimeout: settings.connectTimeout ?? .seconds(10),
            hostKeyPolicy: settings.strictHostKeyChecking ?? .strict, knownHostsFiles: knownHosts)
        if let interval = settings.serverAliveInterval, interval > .zero { options.keepaliveInterval = interval }
        if let count = settings.serverAliveCountMax, count > 0 { options.keepaliveMaxMissed = count }
        return Hop(
            target: SSHTarget(name: name, address: address, port: port, user: user), options: options,
            keyFiles: Array(keys.prefix(explicitKeys)), configKeyFiles: Array(keys.dropFirst(explicitKeys)),
            identitiesOnly: settings.identitiesOnly ?? false)
    }

    /// `~` and ssh_config's `%h` (host), `%p` (port), `%r` (remote user), `%u` (local user), `%d` (home), `%%`.
    private func expand(_ text: String, what: String, host: String, user: String, port: Int) throws -> String {
        var result = text.hasPrefix("~/") ? home + text.dropFirst() : text
        guard result.contains("%") else { return result }
        var output = ""
        var percent = false
        for character in result {
            if !percent {
                if character == "%" { percent = true } else { output.append(character) }
                continue
            }
            percent = false
            switch character {
            case "%": output += "%"
            case "h": output += host
            case "p": output += String(port)
            case "r": output += user
            case "u": output += localUser
            case "d": output += home
            default: throw UnreachableError("\(what) '\(text)': Skiff does not expand %\(character)")
            }
        }
        result = output
        return result
    }

    /// The ssh_config to read: `-F FILE` (`none` for none), else `~/.ssh/config`; each read once.
    private func configFile(_ path: String?) throws -> SSHConfigFile? {
        if path?.lowercased() == "none" { return nil }
        let key = path ?? ""
        if let cached = configs.withLock({ $0[key] }) { return cached }
        let loaded: SSHConfigFile
        do {
            if let path {
                loaded = try SSHConfigFile.load(path: path.hasPrefix("~/") ? home + path.dropFirst() : path, home: home)
            } else {
                loaded = try SSHConfigFile.loadUserConfig(home: home)
            }
        } catch {
            throw UnreachableError("\(error)")
        }
        configs.withLock { $0[key] = loaded }
        return loaded
    }
}
