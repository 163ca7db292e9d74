import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffModules
import SkiffRunner
import SkiffSSH
import Synchronization

/// Opens SSH connections for the runner from each host's connection variables and the command line's
/// options. Key files are read (and decrypted) once per run, however many hosts use them.
final class SSHConnectionFactory: ConnectionFactory {
    let options: SSHOptions
    let knownHosts: KnownHosts
    let defaultUser: String
    let baseCredentials: SSHCredentials
    private let keys = Mutex<[String: PrivateKeyFile]>([:])

    init(options: SSHOptions, knownHosts: KnownHosts, defaultUser: String, credentials: SSHCredentials) {
        self.options = options
        self.knownHosts = knownHosts
        self.defaultUser = defaultUser
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
        if settings.proxyJump != nil { throw UnreachableError("ProxyJump (\(settings.proxyJump!)) is not supported yet") }
        var credentials = baseCredentials
        if let path = settings.privateKeyFile {
            credentials.keyFiles = [try key(at: path)] + credentials.keyFiles
        }
        if let password = settings.password { credentials.password = password }
        let target = SSHTarget(name: host, address: settings.address, port: settings.port, user: settings.user ?? defaultUser)
        do {
            let connection = try await SSHConnection.connect(to: target, options: options, credentials: credentials, knownHosts: knownHosts)
            return SSHHostConnection(connection: connection)
        } catch let error as SSHError where error.isUnreachable {
            throw UnreachableError(error.message)
        } catch let error as SSHError {
            throw UnreachableError(error.message)
        }
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
            let command = RemoteCommand(wire.commandLine, stdin: wire.stdin, timeout: timeout)
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
