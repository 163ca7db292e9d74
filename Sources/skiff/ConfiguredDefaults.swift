import SkiffCore

/// What an option is when the command line does not give it: `SKIFF_*` in the environment, then the
/// `ANSIBLE_*` variable ansible-playbook reads, then `[defaults]` in ansible.cfg, then Skiff's default.
struct ConfiguredDefaults: Sendable {
    static let current = ConfiguredDefaults(config: AnsibleConfig.load(), environment: Environment.value)

    let config: AnsibleConfig
    let environment: @Sendable (String) -> String?

    private func setting(_ name: String, cfg key: String) -> String? {
        for variable in ["SKIFF_\(name)", "ANSIBLE_\(name)"] {
            if let value = environment(variable), !value.isEmpty { return value }
        }
        return config[defaults: key]
    }

    /// `-i`: `SKIFF_INVENTORY`/`ANSIBLE_INVENTORY` (comma-separated), `inventory =`, else /etc/ansible/hosts.
    var inventory: [String] {
        for variable in ["SKIFF_INVENTORY", "ANSIBLE_INVENTORY"] {
            if let value = environment(variable), !value.isEmpty { return value.split(separator: ",").map(String.init) }
        }
        return config.paths(defaults: "inventory") ?? ["/etc/ansible/hosts"]
    }

    var forks: Int { setting("FORKS", cfg: "forks").flatMap { Int($0) } ?? 50 }

    var remoteUser: String? { setting("REMOTE_USER", cfg: "remote_user") }

    var privateKeyFiles: [String] {
        for variable in ["SKIFF_PRIVATE_KEY_FILE", "ANSIBLE_PRIVATE_KEY_FILE"] {
            if let value = environment(variable), !value.isEmpty { return [value] }
        }
        return config.path(defaults: "private_key_file").map { [$0] } ?? []
    }

    /// Skiff's words (strict, accept-new, off), or Ansible's boolean (`False` turns checking off).
    var hostKeyChecking: String { configuredHostKeyChecking ?? "strict" }

    /// The host-key setting when the environment or ansible.cfg gives one.
    var configuredHostKeyChecking: String? {
        guard let value = setting("HOST_KEY_CHECKING", cfg: "host_key_checking") else { return nil }
        switch value.lowercased() {
        case "true", "yes", "on", "1": return "strict"
        case "false", "no", "off", "0": return "off"
        default: return value
        }
    }

    /// The vault password file: `SKIFF_VAULT_PASSWORD_FILE`/`ANSIBLE_VAULT_PASSWORD_FILE`, else
    /// `vault_password_file =` (relative to ansible.cfg's directory).
    var vaultPasswordFile: String? {
        for variable in ["SKIFF_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_PASSWORD_FILE"] {
            if let value = environment(variable), !value.isEmpty { return value }
        }
        return config.path(defaults: "vault_password_file")
    }

    /// Vault ids used by default (`label@source`, comma-separated): `ANSIBLE_VAULT_IDENTITY_LIST`, `vault_identity_list =`.
    var vaultIdentities: [String] {
        let list = setting("VAULT_IDENTITY_LIST", cfg: "vault_identity_list") ?? ""
        return list.split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
    }

    var timeout: Double { configuredTimeout ?? 10 }

    /// The connect timeout when the environment or ansible.cfg gives one.
    var configuredTimeout: Double? { setting("TIMEOUT", cfg: "timeout").flatMap { Double($0) } }
}
