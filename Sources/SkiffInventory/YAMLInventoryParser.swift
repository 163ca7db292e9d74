import OrderedCollections
import SkiffCore
import SkiffYAML

/// Reads Ansible's YAML inventory format: top-level groups (usually `all`), each a mapping with
/// `hosts` (name → variables or nothing), `vars` and `children` (more groups), to any depth. A string
/// where a mapping is expected names one entry (`hosts: 10.0.0.5` is one host), as in Ansible.
struct YAMLInventoryParser {
    let file: String

    func parse(_ text: String, into inventory: inout Inventory) throws {
        guard let root = try YAMLValue.compose(text, file: file) else { return }
        guard case .mapping(let groups) = root else {
            throw InventoryError(
                "a YAML inventory is a mapping of groups (usually 'all:')", at: YAMLValue.location(of: root, file: file))
        }
        for (key, data) in groups {
            try parseGroup(key, data, into: &inventory)
        }
    }

    private func location(_ node: Node) -> SourceLocation { YAMLValue.location(of: node, file: file) }

    /// A YAML string (`hosts: 10.0.0.5`) as the mapping `{10.0.0.5: null}`, at the same place; other nodes as they are.
    static func mappingOfOne(_ node: Node) -> Node {
        guard case .scalar(let scalar) = node, !YAMLValue.isNull(node),
            case .string(let text)? = try? YAMLValue.value(of: node, file: "")
        else { return node }
        let key = Node.scalar(.init(text, .implicit, .plain, scalar.mark))
        let nothing = Node.scalar(.init("", .implicit, .plain, scalar.mark))
        return .mapping(Node.Mapping([(key, nothing)], .implicit, .any, scalar.mark))
    }

    private func parseGroup(_ key: Node, _ data: Node, into inventory: inout Inventory) throws {
        guard let name = key.string else { throw InventoryError("a group name must be a string", at: location(key)) }
        try INIInventoryParser.checkGroupName(name, at: location(key))
        inventory.addGroup(name, at: location(key))
        if YAMLValue.isNull(data) { return }
        guard case .mapping(let fields) = data else {
            throw InventoryError(
                "group '\(name)' must be a mapping with hosts, vars or children", at: location(data))
        }
        for (field, written) in fields {
            let value = Self.mappingOfOne(written)
            switch field.string {
            case "hosts":
                try parseHosts(value, group: name, into: &inventory)
            case "vars":
                inventory.setGroupVars(try variables(value, what: "vars of group '\(name)'"), for: name, at: location(value))
            case "children":
                if YAMLValue.isNull(value) { continue }
                guard case .mapping(let children) = value else {
                    throw InventoryError("children of group '\(name)' must be a mapping of groups", at: location(value))
                }
                for (childKey, childData) in children {
                    try parseGroup(childKey, childData, into: &inventory)
                    try inventory.addChild(childKey.string ?? "", to: name, at: location(childKey))
                }
            default:
                throw InventoryError(
                    "unknown key '\(field.string ?? "?")' in group '\(name)'", at: location(field),
                    hint: "a group holds only hosts, vars and children")
            }
        }
    }

    private func parseHosts(_ node: Node, group: String, into inventory: inout Inventory) throws {
        if YAMLValue.isNull(node) { return }
        guard case .mapping(let hosts) = node else {
            throw InventoryError(
                "hosts of group '\(group)' must be a mapping (host: variables), not a list", at: location(node),
                hint: "write each host as 'name:' on its own line")
        }
        for (hostKey, hostVars) in hosts {
            guard let written = hostKey.string else {
                throw InventoryError("a host name must be a string", at: location(hostKey))
            }
            let vars = try variables(hostVars, what: "variables of host '\(written)'")
            for (name, port) in try HostName.expand(written, at: location(hostKey)) {
                var hostVars = vars
                if let port, hostVars["ansible_port"] == nil { hostVars["ansible_port"] = .int(port) }
                inventory.addHost(name, to: group, vars: hostVars, at: location(hostKey))
            }
        }
    }

    private func variables(_ node: Node, what: String) throws -> OrderedDictionary<String, Value> {
        if YAMLValue.isNull(node) { return [:] }
        guard case .dict(let dict) = try YAMLValue.value(of: node, file: file) else {
            throw InventoryError("\(what) must be a mapping", at: location(node))
        }
        for key in dict.keys { try INIInventoryParser.checkVariableName(key, at: location(node)) }
        try PortCheck.check(node, file: file)
        return dict
    }
}
