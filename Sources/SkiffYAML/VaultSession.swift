import SkiffCore
import SkiffVault
import Synchronization

/// The vault passwords YAML reading decrypts with, and what it decrypted.
///
/// The command line sets one session around reading a run's input (`VaultSession.$current.withValue`);
/// every YAML file Skiff reads — playbooks, vars files, group_vars/host_vars, inventories, `-e @file` —
/// goes through `YAMLValue.compose` and `YAMLValue.value`, which decrypt whole vault files and inline
/// `!vault` values through it. Each decrypted value is recorded here as it is decrypted, so the run can
/// treat it as a secret whatever the name of the variable that holds it (`secrets`). A value that cannot
/// be decrypted is recorded with its location (`failures`) even where a caller drops the error, so the run
/// stops before any host is contacted.
public final class VaultSession: Sendable {
    /// The session of the reading in progress. Without one, vault text is an error ("no vault password").
    @TaskLocal public static var current: VaultSession?

    public let keyring: VaultKeyring
    private let state = Mutex<(secrets: [String], failures: [YAMLError], inline: [String: String])>(([], [], [:]))

    public init(keyring: VaultKeyring) {
        self.keyring = keyring
    }

    /// Every value decrypted so far (a vault file's values one by one, an inline value whole).
    public var secrets: [String] { state.withLock { $0.secrets } }

    /// The vault values that could not be decrypted, with their locations.
    public var failures: [YAMLError] { state.withLock { $0.failures } }

    /// The vault text an inline `!vault` value was written as, by its plaintext (`skiff inventory` shows
    /// it as ansible-inventory does: `{"__ansible_vault": TEXT}`).
    public func inlineVaultText(of plaintext: String) -> String? { state.withLock { $0.inline[plaintext] } }

    /// Decrypts the body of an inline `!vault` value: its plaintext is a secret.
    func decryptValue(_ text: String, at location: SourceLocation) throws(YAMLError) -> String {
        let plaintext = String(decoding: try decrypt(text, at: location), as: UTF8.self)
        state.withLock {
            $0.secrets.append(plaintext)
            $0.inline[plaintext] = text
        }
        return plaintext
    }

    /// Decrypts a whole vault file to its YAML text; the values in it are recorded by `record(valuesOf:)`.
    func decryptFile(_ text: String, file: String) throws(YAMLError) -> String {
        String(decoding: try decrypt(text, at: SourceLocation(file: file, line: 1, column: 1)), as: UTF8.self)
    }

    /// Records values read from a decrypted file that is not YAML (an INI inventory) as secrets: each
    /// leaf's text (not the names), at any depth.
    public func record(values: some Sequence<Value>) {
        var found: [String] = []
        func walk(_ value: Value) {
            switch value {
            case .dict(let dict): dict.values.forEach(walk)
            case .list(let items): items.forEach(walk)
            case .null, .bool: break
            default: found.append(value.text)
            }
        }
        values.forEach(walk)
        state.withLock { $0.secrets += found }
    }

    /// Records every scalar value (not the keys) of a decrypted vault file as a secret.
    func record(valuesOf node: Node) {
        var found: [String] = []
        func walk(_ node: Node) {
            switch node {
            case .scalar(let scalar) where !YAMLValue.isNull(node) && node.bool == nil: found.append(scalar.string)
            case .scalar, .alias: break
            case .sequence(let items): items.forEach(walk)
            case .mapping(let mapping): mapping.forEach { walk($0.value) }
            }
        }
        walk(node)
        state.withLock { $0.secrets += found }
    }

    private func decrypt(_ text: String, at location: SourceLocation) throws(YAMLError) -> [UInt8] {
        do {
            return try keyring.decrypt(text)
        } catch {
            let failure = YAMLError(error.description, at: location)
            state.withLock { $0.failures.append(failure) }
            throw failure
        }
    }
}
