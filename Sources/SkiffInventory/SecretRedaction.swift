import OrderedCollections
import SkiffCore
import SkiffYAML

/// What `skiff inventory` shows of secret variables: the value of every variable whose name looks
/// secret (`ansible_password`, `ansible_become_password`, `*token*`, `*_key`, … see `SecretNames`), at
/// any depth, becomes `********`; the names stay, so a reader sees that a secret is set and where.
/// A fixed placeholder rather than a fingerprint: an unkeyed hash of a short password can be guessed back.
///
/// Values that came out of Ansible Vault are secrets whatever their names: a value of a whole vault file
/// (group_vars, host_vars, an inventory) becomes `********`, and an inline `!vault` value shows as
/// ansible-inventory shows it, its vault text (`{"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n…"}`),
/// which reveals nothing without the password.
public enum SecretRedaction {
    public static func redact(_ variables: OrderedDictionary<String, Value>, vault: VaultSession? = nil) -> OrderedDictionary<String, Value> {
        let decrypted = Set(vault?.secrets ?? [])
        return variables.reduce(into: OrderedDictionary()) { result, entry in
            result[entry.key] = redact(entry.value, secret: SecretNames.looksSecret(entry.key), vault: vault, decrypted: decrypted)
        }
    }

    /// Only the vault's values: an inline `!vault` value as its vault text, the rest as they are (what
    /// `--show-secrets` prints, as ansible-inventory prints it).
    public static func vaultText(_ variables: OrderedDictionary<String, Value>, vault: VaultSession?) -> OrderedDictionary<String, Value> {
        guard let vault else { return variables }
        return variables.mapValues { inlineVaultText($0, vault: vault) }
    }

    private static func inlineVaultText(_ value: Value, vault: VaultSession) -> Value {
        switch value {
        case .dict(let dict): return .dict(dict.mapValues { inlineVaultText($0, vault: vault) })
        case .list(let items): return .list(items.map { inlineVaultText($0, vault: vault) })
        case .string(let text): return vault.inlineVaultText(of: text).map { .dict(["__ansible_vault": .string($0)]) } ?? value
        default: return value
        }
    }

    private static func redact(_ value: Value, secret: Bool, vault: VaultSession?, decrypted: Set<String>) -> Value {
        switch value {
        case .null: return .null
        case .dict(let dict):
            return .dict(dict.reduce(into: OrderedDictionary()) { result, entry in
                result[entry.key] = redact(entry.value, secret: secret || SecretNames.looksSecret(entry.key), vault: vault, decrypted: decrypted)
            })
        case .list(let items): return .list(items.map { redact($0, secret: secret, vault: vault, decrypted: decrypted) })
        case .bool: return secret ? .string(SecretMask.placeholder) : value
        default:
            if case .string(let text) = value, let vaultText = vault?.inlineVaultText(of: text) {
                return .dict(["__ansible_vault": .string(vaultText)])
            }
            return secret || decrypted.contains(value.text) ? .string(SecretMask.placeholder) : value
        }
    }
}
