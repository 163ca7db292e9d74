import OrderedCollections
import SkiffCore
import SkiffYAML

/// What `skiff inventory` prints, in the shapes of `ansible-inventory --list` and `--graph`.
public enum InventoryListing {
    /// `{"_meta": {"hostvars": {...}}, "all": {"children": [...]}, "GROUP": {"hosts": [...], ...}}`:
    /// each host's merged inventory variables under `_meta`, each group's direct hosts and children.
    /// Secret variables and values from vault files show as `********` unless `showSecrets`; inline
    /// `!vault` values show as their vault text (see `SecretRedaction`).
    public static func list(_ inventory: Inventory, showSecrets: Bool = false, vault: VaultSession? = nil) -> Value {
        var hostvars = OrderedDictionary<String, Value>()
        for host in inventory.hosts.keys.sorted() {
            let vars = Self.host(host, in: inventory, showSecrets: showSecrets, vault: vault)
            if !vars.isEmpty { hostvars[host] = .dict(vars) }
        }
        var result: OrderedDictionary<String, Value> = [
            "_meta": .dict(["hostvars": .dict(hostvars), "profile": .string("inventory_legacy")])
        ]
        for name in inventory.groups.keys.sorted() {
            guard let group = inventory.groups[name] else { continue }
            var entry = OrderedDictionary<String, Value>()
            if !group.children.isEmpty { entry["children"] = .list(group.children.map(Value.string)) }
            if !group.hosts.isEmpty { entry["hosts"] = .list(group.hosts.map(Value.string)) }
            if entry.isEmpty { continue }  // ansible-inventory leaves out empty groups
            result[name] = .dict(entry)
        }
        return .dict(result)
    }

    /// One host's merged inventory variables, as `ansible-inventory --host` prints them; secret
    /// variables and values from vault files show as `********` unless `showSecrets`; inline `!vault`
    /// values show as their vault text.
    public static func host(_ name: String, in inventory: Inventory, showSecrets: Bool = false, vault: VaultSession? = nil) -> OrderedDictionary<String, Value> {
        let vars = inventory.variables(of: name)
        return showSecrets ? SecretRedaction.vaultText(vars, vault: vault) : SecretRedaction.redact(vars, vault: vault)
    }

    /// The group tree from `group` down, in definition order, hosts under their groups, as
    /// `ansible-inventory --graph` draws it.
    public static func graph(_ inventory: Inventory, from group: String = "all") -> String {
        var lines = ["@\(group):"]
        draw(group, in: inventory, prefix: "", into: &lines)
        return lines.joined(separator: "\n")
    }

    private static func draw(_ name: String, in inventory: Inventory, prefix: String, into lines: inout [String]) {
        guard let group = inventory.groups[name] else { return }
        for child in group.children {
            lines.append("\(prefix)  |--@\(child):")
            draw(child, in: inventory, prefix: prefix + "  |", into: &lines)
        }
        for host in group.hosts {
            lines.append("\(prefix)  |--\(host)")
        }
    }
}
