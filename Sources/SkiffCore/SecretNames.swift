/// Which variables hold secrets, by name: the connection and become passwords, any name that looks
/// secret, and the names a playbook declares in `skiff_secret_vars`. Their values are masked in console
/// output and fingerprinted, never stored, in the audit log.
///
/// A name looks secret when it contains `pass` (password, passwd, passphrase, db_pass), `secret`, `token`,
/// `cred` (credentials), `private`, `auth` (auth_header, oauth), `apikey`/`api_key`, or ends in `_key` or
/// `_pw`/`pw` — but not when it ends in `_file`, `_path` or `_dir` (where a secret is kept). Masking a harmless value costs little; writing a secret in clear into an append-only audit
/// chain cannot be undone.
public enum SecretNames {
    private static let fragments: [[UInt8]] = ["pass", "secret", "token", "cred", "private", "auth", "apikey", "api_key"].map { Array($0.utf8) }
    private static let suffixes: [[UInt8]] = ["_key", "_pw", "pw"].map { Array($0.utf8) }
    /// Names of where a secret is kept (`ansible_ssh_private_key_file`, `vault_password_file`) are not secret:
    /// errors show them.
    private static let pathSuffixes: [[UInt8]] = ["_file", "_path", "_dir"].map { Array($0.utf8) }

    /// The variable that lists more names to treat as secret (`skiff_secret_vars: [db_url, dsn]`).
    public static let declarations = "skiff_secret_vars"

    public static func looksSecret(_ name: String) -> Bool {
        // Byte-level and ASCII-lowercased: this runs for every variable a task sees.
        let lower = name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if pathSuffixes.contains(where: { lower.count > $0.count && lower.suffix($0.count).elementsEqual($0) }) { return false }
        if suffixes.contains(where: { lower.count >= $0.count + 1 && lower.suffix($0.count).elementsEqual($0) }) { return true }
        return fragments.contains { fragment in
            guard lower.count >= fragment.count else { return false }
            for start in 0...(lower.count - fragment.count) where lower[start] == fragment[0] {
                if lower[start..<start + fragment.count].elementsEqual(fragment) { return true }
            }
            return false
        }
    }

    /// The names listed in `skiff_secret_vars` among these variables (a list, or one comma-separated string).
    public static func declared(in variables: some Sequence<(key: String, value: Value)>) -> Set<String> {
        guard let value = variables.first(where: { $0.key == declarations })?.value else { return [] }
        switch value {
        case .list(let items): return Set(items.map(\.text))
        default: return Set(value.text.split(separator: ",").map { $0.trimmingCharacters(in: " ") })
        }
    }

    /// Variables that describe other hosts or the run (`hostvars`, `groups`, …), not this task's values.
    public static let magic: Set<String> = [
        "hostvars", "groups", "group_names", "play_hosts", "ansible_play_hosts", "ansible_play_hosts_all", "omit",
        "ansible_facts", "playbook_dir", "inventory_dir", "inventory_hostname", "inventory_hostname_short",
    ]
}
