/// Which variables hold secrets, by name: the connection and become passwords, and any name that looks
/// secret (`*password*`, `*passwd*`, `*secret*`, `*token*`, `*_key`, `*apikey*`). Their values are masked in
/// console output and fingerprinted, never stored, in the audit log.
public enum SecretNames {
    private static let fragments: [[UInt8]] = ["password", "passwd", "secret", "token", "apikey", "api_key", "private_key"].map { Array($0.utf8) }

    public static func looksSecret(_ name: String) -> Bool {
        // Byte-level and ASCII-lowercased: this runs for every variable a task sees.
        let lower = name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if lower.count >= 4 && lower.suffix(4).elementsEqual("_key".utf8) { return true }
        if lower.elementsEqual("ansible_ssh_pass".utf8) || lower.starts(with: "ansible_become_pass".utf8) { return true }
        return fragments.contains { fragment in
            guard lower.count >= fragment.count else { return false }
            for start in 0...(lower.count - fragment.count) where lower[start] == fragment[0] {
                if lower[start..<start + fragment.count].elementsEqual(fragment) { return true }
            }
            return false
        }
    }

    /// Variables that describe other hosts or the run (`hostvars`, `groups`, …), not this task's values.
    public static let magic: Set<String> = [
        "hostvars", "groups", "group_names", "play_hosts", "ansible_play_hosts", "ansible_play_hosts_all", "omit",
        "ansible_facts", "playbook_dir", "inventory_dir", "inventory_hostname", "inventory_hostname_short",
    ]
}
