import OrderedCollections
import SkiffCore
import SkiffYAML

/// Refuses an `ansible_port`/`skiff_port` that is no port number where the inventory writes it
/// (host lines, group vars, `group_vars/` and `host_vars/` files), with that place.
enum PortCheck {
    /// Checks the port variables among `vars`, all written at `location` (an INI line).
    static func check(_ vars: OrderedDictionary<String, Value>, at location: SourceLocation?) throws {
        for (name, value) in vars where PortVariable.names.contains(name) {
            if let problem = PortVariable.problem(with: value) {
                throw InventoryError("\(name): \(problem)", at: location)
            }
        }
    }

    /// Checks the port variables of a YAML mapping of variables, each at its value's place.
    static func check(_ node: Node, file: String) throws {
        guard case .mapping(let mapping) = node else { return }
        for (key, value) in mapping where PortVariable.names.contains(key.string ?? "") {
            if let problem = PortVariable.problem(with: try YAMLValue.value(of: value, file: file)) {
                throw InventoryError("\(key.string ?? ""): \(problem)", at: YAMLValue.location(of: value, file: file))
            }
        }
    }
}
