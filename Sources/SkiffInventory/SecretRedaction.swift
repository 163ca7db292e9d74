import OrderedCollections
import SkiffCore

/// What `skiff inventory` shows of secret variables: the value of every variable whose name looks
/// secret (`ansible_password`, `ansible_become_password`, `*token*`, `*_key`, … see `SecretNames`), at
/// any depth, becomes `********`; the names stay, so a reader sees that a secret is set and where.
/// A fixed placeholder rather than a fingerprint: an unkeyed hash of a short password can be guessed back.
public enum SecretRedaction {
    public static func redact(_ variables: OrderedDictionary<String, Value>) -> OrderedDictionary<String, Value> {
        variables.reduce(into: OrderedDictionary()) { result, entry in
            result[entry.key] = redact(entry.value, secret: SecretNames.looksSecret(entry.key))
        }
    }

    private static func redact(_ value: Value, secret: Bool) -> Value {
        switch value {
        case .null: return .null
        case .dict(let dict):
            return .dict(dict.reduce(into: OrderedDictionary()) { result, entry in
                result[entry.key] = redact(entry.value, secret: secret || SecretNames.looksSecret(entry.key))
            })
        case .list(let items): return .list(items.map { redact($0, secret: secret) })
        default: return secret ? .string(SecretMask.placeholder) : value
        }
    }
}
