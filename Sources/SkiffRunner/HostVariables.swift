import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffPlaybook
import SkiffTemplate

/// The variables one host sees for one task, merged in Skiff's documented precedence (lowest first):
/// role defaults < inventory group vars (`all` < parent < child) < `group_vars/` < inventory host vars
/// < `host_vars/` < gathered facts < play `vars` < `vars_files` < role vars < block vars < task vars
/// < `include_vars` < `set_fact`/`register` < `-e`; plus Ansible's magic variables.
public struct HostVariables: Sendable {
    public let inventory: Inventory
    public let play: Play
    public let extraVars: OrderedDictionary<String, Value>
    /// The hosts the play runs on (`play_hosts`, `ansible_play_hosts`).
    public let playHosts: [String]
    public let checkMode: Bool
    public let playbookDirectory: String
    public let inventoryDirectory: String?
    /// `--tags` and `--skip-tags` (`ansible_run_tags`, `ansible_skip_tags`).
    public var tags = TagFilter()

    /// `groups`, built once per play and shared by every host.
    private let groups: Value
    /// Facts and runtime variables of every host so far, behind `hostvars`.
    let states: HostStates

    public init(
        inventory: Inventory, play: Play, extraVars: OrderedDictionary<String, Value>, playHosts: [String],
        checkMode: Bool = false, playbookDirectory: String, inventoryDirectory: String? = nil, states: HostStates? = nil
    ) {
        self.inventory = inventory
        self.play = play
        self.extraVars = extraVars
        self.playHosts = playHosts
        self.checkMode = checkMode
        self.playbookDirectory = playbookDirectory
        self.inventoryDirectory = inventoryDirectory
        var groups = OrderedDictionary<String, Value>()
        for name in inventory.groups.keys { groups[name] = .list(inventory.hosts(in: name).map(Value.string)) }
        self.groups = .dict(groups)
        self.states = states ?? HostStates(inventory: inventory)
    }

    /// Everything `host` sees when running `task` (nil: play-level fields).
    /// - Parameters:
    ///   - facts: gathered facts, `ansible_*` names (also offered under `ansible_facts` without the prefix).
    ///   - runtime: `set_fact` and `register` results of this host so far.
    ///   - blockVars: `vars:` of the enclosing blocks, outermost first.
    public func variables(
        for host: String, task: Task? = nil, facts: OrderedDictionary<String, Value> = [:],
        runtime: OrderedDictionary<String, Value> = [:], blockVars: [OrderedDictionary<String, Value>] = []
    ) -> OrderedDictionary<String, Value> {
        context(for: host, task: task, facts: facts, runtime: runtime, blockVars: blockVars).variables
    }

    /// The layers of `host`'s variables, lowest precedence first, each with its kind: what the user
    /// wrote is a template; facts, runtime results and magic variables are data.
    private func layers(
        for host: String, task: Task?, facts: OrderedDictionary<String, Value>,
        runtime: OrderedDictionary<String, Value>, included: OrderedDictionary<String, Value>, blockVars: [OrderedDictionary<String, Value>]
    ) -> [(OrderedDictionary<String, Value>, TemplateContext.Kind)] {
        var layers: [(OrderedDictionary<String, Value>, TemplateContext.Kind)] = []
        for role in play.roles + play.includedRoles { layers.append((role.defaults, .template)) }
        // Merged once per run (HostStates); the magic variables it also holds are set again below.
        layers.append((states.inventoryVariables(of: host) ?? inventory.variables(of: host), .template))
        layers.append((facts, .data))
        // Defined also before or without gathering, as an empty mapping (as in ansible-playbook).
        layers.append((["ansible_facts": .dict(Self.unprefixed(facts))], .data))
        layers.append((play.vars, .template))
        layers.append((play.varsFromFiles, .template))
        for role in play.roles + play.includedRoles { layers.append((role.vars, .template)) }
        for vars in blockVars { layers.append((vars, .template)) }
        if case .dict(let taskVars)? = task?.keywords["vars"] { layers.append((taskVars, .template)) }
        layers.append((included, .template))
        layers.append((runtime, .data))
        layers.append((extraVars, .template))
        layers.append((magicVariables(for: host, task: task), .data))
        // Each host's inventory and included variables in it are templates, its facts and results data:
        // the evaluator tells them apart (`TemplateContext.hostvarsData`).
        layers.append((["hostvars": states.hostvars], .template))
        return layers
    }

    /// Ansible's magic variables: always what Skiff knows, whatever a playbook set.
    private func magicVariables(for host: String, task: Task?) -> OrderedDictionary<String, Value> {
        var result = OrderedDictionary<String, Value>()
        result["inventory_hostname"] = .string(host)
        result["inventory_hostname_short"] = .string(String(host.split(separator: ".").first ?? Substring(host)))
        result["group_names"] = .list(inventory.groupNames(of: host).map(Value.string))
        result["groups"] = groups
        result["play_hosts"] = .list(playHosts.map(Value.string))
        result["ansible_play_hosts"] = result["play_hosts"]
        result["ansible_play_hosts_all"] = result["play_hosts"]
        result["ansible_play_name"] = .string(play.name ?? play.hosts)
        result["ansible_check_mode"] = .bool(checkMode)
        result["playbook_dir"] = .string(playbookDirectory)
        result["ansible_run_tags"] = .list((tags.only.isEmpty ? ["all"] : tags.only.sorted()).map(Value.string))
        result["ansible_skip_tags"] = .list(tags.skip.sorted().map(Value.string))
        if let inventoryDirectory { result["inventory_dir"] = .string(inventoryDirectory) }
        if let role = task?.role {
            result["role_name"] = .string(role.name)
            result["role_path"] = .string(role.path)
        }
        result["omit"] = .string(Self.omit)
        return result
    }

    /// Facts without their `ansible_` prefix, as `ansible_facts` holds them.
    static func unprefixed(_ facts: OrderedDictionary<String, Value>) -> OrderedDictionary<String, Value> {
        var unprefixed = OrderedDictionary<String, Value>()
        for (key, value) in facts where key.hasPrefix("ansible_") { unprefixed[String(key.dropFirst(8))] = value }
        return unprefixed
    }

    /// The placeholder `default(omit)` produces; a module argument equal to it is left out.
    public static let omit = "__omit_place_holder__skiff"

    /// The variables that say how `host` is reached before any task runs — role defaults, inventory, play
    /// vars, vars files, role vars, extra vars, in that order — without the magic variables and `hostvars`
    /// a task also sees (building those for every host of a large play costs as much as the check).
    func connectionVariables(for host: String) -> OrderedDictionary<String, Value> {
        var result = OrderedDictionary<String, Value>()
        for role in play.roles + play.includedRoles { result.merge(role.defaults) { $1 } }
        result.merge(states.inventoryVariables(of: host) ?? inventory.variables(of: host)) { $1 }
        result.merge(play.vars) { $1 }
        result.merge(play.varsFromFiles) { $1 }
        for role in play.roles + play.includedRoles { result.merge(role.vars) { $1 } }
        result.merge(extraVars) { $1 }
        return result
    }

    /// A template context for `host` (lookups see the process environment; files are looked up in the
    /// task's role, then beside the playbook).
    public func context(
        for host: String, task: Task? = nil, facts: OrderedDictionary<String, Value> = [:],
        runtime: OrderedDictionary<String, Value> = [:], included: OrderedDictionary<String, Value> = [:],
        blockVars: [OrderedDictionary<String, Value>] = []
    ) -> TemplateContext {
        let searchPaths = [task?.role?.path, playbookDirectory].compactMap { $0 }
        var context = TemplateContext(searchPaths: searchPaths)
        for (layer, kind) in layers(for: host, task: task, facts: facts, runtime: runtime, included: included, blockVars: blockVars) {
            context.merge(layer, as: kind)
        }
        context.hostvarsData = states.hostvarsData
        return context
    }
}
