import Foundation
import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffPlaybook
import SkiffRunner
import SkiffTemplate
import Testing

@Suite("the variables a host sees")
struct HostVariablesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    func setUp() throws -> (HostVariables, Play) {
        let inventory = try InventoryLoader().load(sources: ["\(Self.root)/hosts.ini"])
        let play = try #require(try PlaybookLoader().load("\(Self.root)/play.yml").plays.first)
        let hosts = try HostPattern.select(play.hosts, in: inventory)
        let variables = HostVariables(
            inventory: inventory, play: play, extraVars: ["from_extra": .string("extra"), "layer": .string("extra")],
            playHosts: hosts, playbookDirectory: Self.root, inventoryDirectory: Self.root)
        return (variables, play)
    }

    @Test func precedenceFromRoleDefaultsToExtraVars() throws {
        let (variables, play) = try setUp()
        let task = try #require(play.allTasks.first { $0.name == "role task" })
        let seen = variables.variables(
            for: "web1.example.com", task: task, facts: ["ansible_hostname": .string("web1"), "layer": .string("facts")],
            runtime: ["registered": .string("yes")])
        #expect(seen["only_default"] == .string("role-default"))
        #expect(seen["only_inventory"] == .string("inventory"))
        #expect(seen["layer"] == .string("extra"), "-e wins over everything")
        let withoutExtra = HostVariables(inventory: variables.inventory, play: play, extraVars: [:], playHosts: variables.playHosts, playbookDirectory: Self.root)
        #expect(withoutExtra.variables(for: "web1.example.com", task: task)["layer"] == .string("task"), "task vars over role vars over play vars")
        #expect(withoutExtra.variables(for: "web1.example.com")["layer"] == .string("role-vars"), "role vars over vars_files over play vars")
        #expect(withoutExtra.variables(for: "web1.example.com", facts: ["layer": .string("facts")])["layer"] == .string("role-vars"))
        #expect(seen["registered"] == .string("yes"))
        #expect(seen["ansible_facts"] == .dict(["hostname": .string("web1")]))
    }

    @Test func magicVariables() throws {
        let (variables, play) = try setUp()
        let task = try #require(play.allTasks.first { $0.name == "role task" })
        let context = variables.context(for: "web1.example.com", task: task)
        func render(_ text: String) throws -> String { try Template(text).render(context) }
        #expect(try render("{{ inventory_hostname }}") == "web1.example.com")
        #expect(try render("{{ inventory_hostname_short }}") == "web1")
        #expect(try render("{{ group_names | join(',') }}") == "web")
        #expect(try render("{{ groups['web'] | length }}") == "2")
        #expect(try render("{{ hostvars['web2.example.com'].only_inventory }}") == "inventory")
        #expect(try render("{{ play_hosts | join(',') }}") == "web1.example.com,web2.example.com")
        #expect(try render("{{ ansible_check_mode }}") == "False")
        #expect(try render("{{ role_name }}") == "app")
        #expect(try render("{{ playbook_dir }}") == Self.root)
        #expect(try render("{{ missing | default(omit) }}") == HostVariables.omit)
    }
}
