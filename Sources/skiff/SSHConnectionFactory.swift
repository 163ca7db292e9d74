import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffModules
import SkiffRunner
import SkiffSSH
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Opens SSH connections for the runner from each host's connection variables, the command line's options
/// and the ssh_config file (see `ConnectionPlanner`). Key files and known_hosts files are read once per run,
/// however many hosts use them; a jump host's connection is opened once and shared by every host behind it.
final class SSHConnectionFactory: ConnectionFactory {
    let planner: ConnectionPlanner
    let baseCredentials: SSHCredentials
    private let keys = Mutex<[String: PrivateKeyFile]>([:])
    private let knownHostsFiles = Mutex<[[String]: KnownHosts]>([:])
    private let jumpHosts = Mutex<[String: Task<SSHJumpHost, Error>]>([:])
    private let warnedInsecure = Mutex(false)

    init(planner: ConnectionPlanner, credentials: SSHCredentials) {
        self.planner = planner
        self.baseCredentials = credentials
    }

    func connect(host: String, variables: [String: Value]) async throws -> any HostConnection {
        let settings: ConnectionVariables
        do {
            settings = try ConnectionVariables(host: host, variables: OrderedDictionary(uniqueKeysWithValues: variables.sorted { $0.key < $1.key }))
        } catch {
            throw UnreachableError("\(error)")
        }
        // The controller itself (`ansible_connection=local`): commands run through /bin/sh here, no SSH.
        if settings.kind == .local { return LocalConnection() }
        let plan = try planner.plan(host: host, settings: settings)
        var credentials = try credentials(for: plan.host)
        if let password = settings.password { credentials.password = password }
        do {
            let via = try await jumpHost(plan.jumps)
            let connection = try await SSHConnection.connect(
                to: plan.host.target, options: plan.host.options, credentials: credentials,
                knownHosts: try knownHosts(plan.host.options), via: via)
            return SSHHostConnection(connection: connection)
        } catch let error as SSHError {
            throw UnreachableError(error.message)
        }
    }

    /// The connection plan for the host, made without contacting it: an SSH option Skiff does not know, a
    /// malformed value or an ssh_config error is invalid input, naming the host and the variable or line.
    func check(host: String, variables: [String: Value]) throws {
        do {
            let settings = try ConnectionVariables(host: host, variables: OrderedDictionary(uniqueKeysWithValues: variables.sorted { $0.key < $1.key }))
            if settings.kind == .local { return }
            _ = try planner.plan(host: host, settings: settings)
        } catch let error as UnreachableError {
            throw ConnectionSettingsError(error.message)
        } catch {
            throw ConnectionSettingsError("\(error)")
        }
    }

    /// The connection to the last of `hops` (through the ones before it), shared with every host that
    /// reaches it by the same chain.
    private func jumpHost(_ hops: [ConnectionPlanner.Hop]) async throws -> SSHJumpHost? {
        guard let last = hops.last else { return nil }
        let chain = hops.map { "\($0.target.user)@\($0.target.address):\($0.target.port)" }.joined(separator: ",")
        let task = try jumpHosts.withLock { pool -> Task<SSHJumpHost, Error> in
            if let running = pool[chain] { return running }
            let credentials = try credentials(for: last)
            let knownHosts = try knownHosts(last.options)
            let task = Task {
                let via = try await self.jumpHost(Array(hops.dropLast()))
                do {
                    return try await SSHJumpHost.connect(
                        to: last.target, options: last.options, credentials: credentials, knownHosts: knownHosts, via: via)
                } catch let error as SSHError {
                    throw SSHError(error.kind, host: error.host, "jump host \(last.target): \(error.message)")
                }
            }
            pool[chain] = task
            return task
        }
        return try await task.value
    }

    /// The command line's credentials with the hop's own key files before them; no agent with IdentitiesOnly.
    private func credentials(for hop: ConnectionPlanner.Hop) throws -> SSHCredentials {
        var credentials = baseCredentials
        var files = try hop.keyFiles.map { try key(at: $0) }
        files += try hop.configKeyFiles.filter { access($0, R_OK) == 0 }.map { try key(at: $0) }
        credentials.keyFiles = files + credentials.keyFiles
        if hop.identitiesOnly { credentials.agentSocket = nil }
        let firstInsecure = hop.options.hostKeyPolicy == .insecureAcceptAnyHostKey && warnedInsecure.withLock { warned in
            defer { warned = true }
            return !warned
        }
        if firstInsecure {
            Console.warn("host key checking is OFF for \(hop.target): any server, including an attacker in the middle, is believed")
        }
        return credentials
    }

    private func knownHosts(_ options: SSHOptions) throws -> KnownHosts {
        if let cached = knownHostsFiles.withLock({ $0[options.knownHostsFiles] }) { return cached }
        let loaded: KnownHosts
        do {
            loaded = try KnownHosts.load(files: options.knownHostsFiles)
        } catch {
            throw UnreachableError("\(error)")
        }
        knownHostsFiles.withLock { $0[options.knownHostsFiles] = loaded }
        return loaded
    }

    private func key(at path: String) throws -> PrivateKeyFile {
        let expanded = path.hasPrefix("~/") ? (Environment.value("HOME") ?? "") + path.dropFirst() : path
        if let cached = keys.withLock({ $0[expanded] }) { return cached }
        let loaded: PrivateKeyFile
        do {
            loaded = try PrivateKeyFile(path: expanded, passphrase: Environment.value("SKIFF_PRIVATE_KEY_PASSPHRASE").map(Sensitive.init))
        } catch {
            throw UnreachableError("\(error)")
        }
        keys.withLock { $0[expanded] = loaded }
        return loaded
    }
}

/// The runner's view of an SSH connection.
struct SSHHostConnection: HostConnection {
    let connection: SSHConnection

    func run(_ step: RemoteStep, timeout: Duration?) async throws -> CommandResult {
        do {
            let wire = step.wire
            let command = RemoteCommand(wire.commandLine, stdin: wire.stdin, timeout: timeout, isSimple: step.isSimpleCommand)
            // `raw` is for the login shell as it is; everything else shares the host's one long-lived shell.
            if case .raw = step.command { return try await connection.run(command) }
            return try await connection.runInShell(command)
        } catch let error as SSHError where error.isUnreachable {
            throw UnreachableError(error.message)
        }
    }

    func upload(_ step: UploadStep) async throws {
        let source: UploadSource
        switch step.source {
        case .bytes(let bytes): source = .bytes(bytes)
        case .localFile(let path): source = .file(path: path)
        }
        do {
            try await connection.upload(source, to: step.destination, mode: step.mode)
        } catch let error as SSHError where error.isUnreachable {
            throw UnreachableError(error.message)
        }
    }

    func close() async {
        await connection.close()
    }
}
