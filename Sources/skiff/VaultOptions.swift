import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
import SkiffVault
import SkiffYAML

/// The vault passwords of a run, as ansible-playbook takes them: `--vault-id label@source` (repeatable;
/// the source is a file, an executable script whose output is the password, or `prompt`),
/// `--vault-password-file FILE` (the id `default`), `--ask-vault-pass`, then the configured
/// `ANSIBLE_VAULT_PASSWORD_FILE` / ansible.cfg `vault_password_file` and `vault_identity_list`.
struct VaultOptions: ParsableArguments {
    @Option(name: .customLong("vault-id"), help: "A vault password: LABEL@FILE, LABEL@SCRIPT or LABEL@prompt (repeatable).")
    var vaultIDs: [String] = []

    @Option(name: .customLong("vault-password-file"), help: "File (or executable script) holding the vault password (repeatable).")
    var vaultPasswordFiles: [String] = []

    @Flag(name: .customLong("ask-vault-pass"), help: "Ask for the vault password (needs a terminal).")
    var askVaultPass = false

    /// The sources in the order they are tried: command line ids, password files, the prompt, then
    /// the configured ones. A configured file is used as ansible-playbook uses it: also next to the others.
    func sources(defaults: ConfiguredDefaults = .current) -> [VaultPasswordSource] {
        var sources = vaultIDs.map(VaultPasswordSource.init(identity:))
        sources += vaultPasswordFiles.map { VaultPasswordSource(label: VaultKeyring.defaultLabel, location: $0) }
        if askVaultPass { sources.append(VaultPasswordSource(label: VaultKeyring.defaultLabel, location: VaultPasswordSource.prompt)) }
        sources += defaults.vaultIdentities.map(VaultPasswordSource.init(identity:))
        if let file = defaults.vaultPasswordFile { sources.append(VaultPasswordSource(label: VaultKeyring.defaultLabel, location: file)) }
        var seen = Set<String>()
        return sources.filter { seen.insert("\($0.label)@\($0.location)").inserted }
    }

    /// Runs `body` (reading an inventory) with the vault passwords; a vault value that does not open is a
    /// usage error (exit 5), with its file and line.
    func reading<T>(_ body: () throws -> T) throws -> T {
        let session = VaultSession(keyring: try keyring())
        let value = try VaultSession.$current.withValue(session) { try body() }
        if !session.failures.isEmpty { throw ValidationError(session.failures.map(\.description).joined(separator: "\n")) }
        return value
    }

    /// Reads every password (runs scripts, asks on the terminal). Errors name the source, never a password.
    func keyring(defaults: ConfiguredDefaults = .current) throws -> VaultKeyring {
        VaultKeyring(try sources(defaults: defaults).map { VaultKeyring.Entry(label: $0.label, password: try $0.read()) })
    }
}
