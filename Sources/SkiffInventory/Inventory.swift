import OrderedCollections
import SkiffCore

/// Hosts, the groups they belong to, and both's variables, as read from one or more inventory sources.
///
/// Every inventory has the groups `all` (every host) and `ungrouped` (hosts in no other group).
/// Hosts and groups keep the order in which they were first defined, as Ansible does.
public struct Inventory: Sendable {
    public struct Host: Sendable, Equatable {
        public let name: String
        public internal(set) var vars: OrderedDictionary<String, Value>
        /// Variables from `host_vars/NAME` files, which override `vars`.
        public internal(set) var fileVars: OrderedDictionary<String, Value> = [:]
        /// Where the host was first defined.
        public let location: SourceLocation?
    }

    public struct Group: Sendable, Equatable {
        public let name: String
        /// Hosts listed in the group itself (not through its children).
        public internal(set) var hosts: OrderedSet<String>
        public internal(set) var children: OrderedSet<String>
        public internal(set) var vars: OrderedDictionary<String, Value>
        public let location: SourceLocation?
        /// Variables from `group_vars/NAME` files, which override every group's inventory `vars`.
        public internal(set) var fileVars: OrderedDictionary<String, Value> = [:]
    }

    public private(set) var hosts: OrderedDictionary<String, Host> = [:]
    public private(set) var groups: OrderedDictionary<String, Group> = [:]
    /// Each host's groups and each group's depth, worked out once by `finish()` (nil while building).
    private var membership: Membership?

    public init() {
        addGroup("all", at: nil)
        addGroup("ungrouped", at: nil)
        groups["all"]?.children.append("ungrouped")
    }

    // MARK: Building

    /// Adds a group (no-op when it exists). Groups without a parent become children of `all` in `finish()`.
    mutating func addGroup(_ name: String, at location: SourceLocation?) {
        guard groups[name] == nil else { return }
        membership = nil
        groups[name] = Group(name: name, hosts: [], children: [], vars: [:], location: location)
    }

    /// Adds `host` (or updates its variables) and lists it in `group`.
    mutating func addHost(_ name: String, to group: String, vars: OrderedDictionary<String, Value>, at location: SourceLocation?) {
        membership = nil
        if hosts[name] == nil {
            hosts[name] = Host(name: name, vars: [:], location: location)
        }
        hosts[name]?.vars.merge(vars) { $1 }
        addGroup(group, at: location)
        groups[group]?.hosts.append(name)
    }

    mutating func setGroupVars(_ vars: OrderedDictionary<String, Value>, for group: String, at location: SourceLocation?) {
        addGroup(group, at: location)
        groups[group]?.vars.merge(vars) { $1 }
    }

    /// Adds variables from a `group_vars/` file (ignored for a group the inventory does not have).
    mutating func setGroupFileVars(_ vars: OrderedDictionary<String, Value>, for group: String) {
        groups[group]?.fileVars.merge(vars) { $1 }
    }

    /// Adds variables from a `host_vars/` file (ignored for a host the inventory does not have).
    mutating func setHostFileVars(_ vars: OrderedDictionary<String, Value>, for host: String) {
        hosts[host]?.fileVars.merge(vars) { $1 }
    }

    /// Makes `child` a child group of `parent`; refuses a cycle.
    mutating func addChild(_ child: String, to parent: String, at location: SourceLocation?) throws {
        addGroup(parent, at: location)
        addGroup(child, at: location)
        if child == parent || descendants(of: child).contains(parent) {
            throw InventoryError("group '\(child)' cannot be a child of '\(parent)': that makes a cycle", at: location)
        }
        membership = nil
        groups[parent]?.children.append(child)
    }

    /// Completes the tree as Ansible does at the end of parsing: groups with no parent become children
    /// of `all` (in the order they were defined), and hosts in no group go to `ungrouped`.
    mutating func finish() {
        let parented = Set(groups.values.flatMap(\.children))
        for name in groups.keys where name != "all" && !parented.contains(name) {
            groups["all"]?.children.append(name)
        }
        let grouped = Set(groups.values.filter { $0.name != "all" && $0.name != "ungrouped" }.flatMap(\.hosts))
        for host in hosts.keys where !grouped.contains(host) && groups["ungrouped"]?.hosts.contains(host) != true {
            groups["ungrouped"]?.hosts.append(host)
        }
        if let ungrouped = groups["ungrouped"] {
            groups["ungrouped"]?.hosts = OrderedSet(ungrouped.hosts.filter { !grouped.contains($0) })
        }
        groups["all"]?.hosts = []
        membership = Membership(self)
    }

    // MARK: Queries

    /// Every group below `name` (children, their children, …).
    public func descendants(of name: String) -> OrderedSet<String> {
        var result = OrderedSet<String>()
        var queue = Array(groups[name]?.children ?? [])
        var next = 0
        while next < queue.count {
            if result.append(queue[next]).inserted { queue += groups[queue[next]]?.children ?? [] }
            next += 1
        }
        return result
    }

    /// The hosts of a group, its own first, then its descendants' level by level, each once
    /// (for `all`: ungrouped hosts first, then each group's in the order the groups were defined).
    public func hosts(in name: String) -> [String] {
        guard let group = groups[name] else { return [] }
        var result = OrderedSet(group.hosts)
        for child in descendants(of: name) { result.append(contentsOf: groups[child]?.hosts ?? []) }
        return Array(result)
    }

    /// The groups a host is in, directly or through children; sorted, without `all` (Ansible's `group_names`).
    public func groupNames(of host: String) -> [String] {
        if let membership { return membership.groupNames[host] ?? [] }
        return groups.values.filter { $0.name != "all" && hosts(in: $0.name).contains(host) }.map(\.name).sorted()
    }

    /// How far below `all` a group sits (its longest path), which orders group variables.
    public func depth(of name: String) -> Int {
        if let depth = membership?.depths[name] { return depth }
        if name == "all" { return 0 }
        let parents = groups.values.filter { $0.children.contains(name) }.map(\.name)
        return 1 + (parents.map(depth(of:)).max() ?? 0)
    }

    /// A host's inventory variables, later wins: its groups' inventory vars (`all`, then from shallow to
    /// deep, same depth by name), then the same groups' `group_vars/` files, then its own inventory vars,
    /// then its `host_vars/` file.
    public func variables(of host: String) -> OrderedDictionary<String, Value> {
        let ordered = ["all"] + groupNames(of: host).map { ($0, depth(of: $0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        var result = OrderedDictionary<String, Value>()
        for name in ordered { result.merge(groups[name]?.vars ?? [:]) { $1 } }
        for name in ordered { result.merge(groups[name]?.fileVars ?? [:]) { $1 } }
        result.merge(hosts[host]?.vars ?? [:]) { $1 }
        result.merge(hosts[host]?.fileVars ?? [:]) { $1 }
        return result
    }
}
