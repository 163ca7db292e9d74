/// Which groups each host is in and how deep each group sits, worked out in one pass over the group
/// tree, so that asking for every host's variables takes time in proportion to the inventory
/// (asking group by group for each host made `inventory --list` of 100,000 hosts take many seconds).
struct Membership: Sendable {
    /// Each host's groups, directly or through children, sorted, without `all` (Ansible's `group_names`).
    let groupNames: [String: [String]]
    /// Each group's longest path below `all`.
    let depths: [String: Int]

    init(_ inventory: Inventory) {
        var names: [String: [String]] = [:]
        for group in inventory.groups.keys where group != "all" {
            for host in inventory.hosts(in: group) { names[host, default: []].append(group) }
        }
        groupNames = names.mapValues { $0.sorted() }
        var parents: [String: [String]] = [:]
        for group in inventory.groups.values {
            for child in group.children { parents[child, default: []].append(group.name) }
        }
        var depths: [String: Int] = ["all": 0]
        // Children come after their parents in a walk that visits a group once all its parents have
        // been visited (the tree has no cycles: adding a child refuses one).
        var waiting = parents.mapValues(\.count)
        var ready = inventory.groups.keys.filter { waiting[$0, default: 0] == 0 }
        var next = 0
        while next < ready.count {
            let group = ready[next]
            next += 1
            let depth = group == "all" ? 0 : 1 + (parents[group]?.compactMap { depths[$0] }.max() ?? 0)
            depths[group] = depth
            for child in inventory.groups[group]?.children ?? [] {
                waiting[child, default: 0] -= 1
                if waiting[child] == 0 { ready.append(child) }
            }
        }
        self.depths = depths
    }
}
