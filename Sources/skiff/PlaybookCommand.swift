import ArgumentParser
import Foundation
import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffPlaybook
import SkiffTemplate

/// `skiff PLAYBOOK…`: ansible-playbook's command line. Playbooks and inventories are read and checked
/// completely before any host is contacted; invalid input exits with status 5.
struct PlaybookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook",
        abstract: "Check and list playbooks (ansible-playbook's options): --syntax-check, --list-hosts, --list-tasks.",
        discussion: "Running plays arrives with the runner; today Skiff checks playbooks and lists what they would do."
    )

    @Argument(help: "Playbook files.")
    var playbooks: [String] = []

    @Option(name: [.customShort("i"), .long], help: "Inventory file, directory or comma-separated host list (repeatable).")
    var inventory: [String] = []

    @Option(name: [.customShort("e"), .customLong("extra-vars")], help: "key=value, JSON/YAML, or @file (repeatable; later wins).")
    var extraVars: [String] = []

    @Option(name: [.customShort("l"), .long], help: "Only hosts matching this pattern (@FILE reads patterns from a file).")
    var limit: String?

    @Option(name: [.customShort("t"), .long], help: "Only tasks with these tags (comma-separated).")
    var tags: [String] = []

    @Option(name: .long, help: "Skip tasks with these tags (comma-separated).")
    var skipTags: [String] = []

    @Flag(name: .long, help: "Check the playbooks and exit.")
    var syntaxCheck = false

    @Flag(name: .long, help: "List the hosts each play would run on.")
    var listHosts = false

    @Flag(name: .long, help: "List the tasks each play would run.")
    var listTasks = false

    func validate() throws {
        guard !playbooks.isEmpty else { throw ValidationError("name at least one playbook") }
    }

    func run() throws {
        do {
            let extra = try ExtraVariables.parse(extraVars)
            let loaded = try playbooks.map { try PlaybookLoader().load($0) }
            if syntaxCheck && !listHosts && !listTasks {
                for playbook in loaded { Console.out("\nplaybook: \(playbook.path)") }
                return
            }
            guard listHosts || listTasks else {
                Console.error("running playbooks is not implemented yet: use --syntax-check, --list-hosts or --list-tasks")
                throw ExitCode(1)
            }
            let sources = inventory.isEmpty ? [Environment.value("SKIFF_INVENTORY") ?? "/etc/ansible/hosts"] : inventory
            let hosts = try InventoryLoader().load(sources: sources, playbookDirectory: playbooks.first.map(Self.directory))
            let limited = try limit.map { Set(try HostPattern.limit($0, in: hosts)) }
            for playbook in loaded {
                try PlaybookListing(inventory: hosts, extraVars: extra, limit: limited, onlyTags: Self.split(tags), skipTags: Self.split(skipTags))
                    .print(playbook, hosts: listHosts, tasks: listTasks)
            }
        } catch let error as PlaybookError {
            Console.error(error.description)
            throw ExitCode(5)
        } catch let error as InventoryError {
            Console.error(error.description)
            throw ExitCode(5)
        } catch let error as TemplateError {
            Console.error(error.description)
            throw ExitCode(5)
        }
    }

    static func split(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
    }

    static func directory(_ path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }
}

/// Prints `--list-hosts` and `--list-tasks` in ansible-playbook's shapes.
struct PlaybookListing {
    let inventory: Inventory
    let extraVars: OrderedDictionary<String, Value>
    let limit: Set<String>?
    let onlyTags: Set<String>
    let skipTags: Set<String>

    func print(_ playbook: Playbook, hosts listHosts: Bool, tasks listTasks: Bool) throws {
        var lines = ["", "playbook: \(playbook.path)"]
        for (index, play) in playbook.plays.enumerated() {
            var variables = play.vars
            variables.merge(extraVars) { $1 }
            let pattern = try Template(play.hosts, location: play.location).render(TemplateContext(variables: variables))
            var hosts = try HostPattern.select(pattern, in: inventory, at: play.location)
            if let limit { hosts = hosts.filter(limit.contains) }
            lines.append("")
            let name = try play.name.map { try Template($0, location: play.location).render(TemplateContext(variables: variables)) } ?? pattern
            lines.append("  play #\(index + 1) (\(pattern)): \(name)\tTAGS: [\(play.tags.sorted().joined(separator: ", "))]")
            if listHosts {
                lines.append("    pattern: \(Self.pythonList(play.hostEntries))")
                lines.append("    hosts (\(hosts.count)):")
                lines += hosts.map { "      \($0)" }
            }
            if listTasks {
                lines.append("    tasks:")
                for task in play.listedTasks where selected(task, play: play) {
                    let tags = Array(Set(task.tags + play.tags)).sorted()
                    lines.append("      \(task.displayName)\tTAGS: [\(tags.joined(separator: ", "))]")
                }
            }
        }
        Console.out(lines.joined(separator: "\n"))
    }

    private func selected(_ task: Task, play: Play) -> Bool {
        let tags = Set(task.tags + play.tags)
        if !skipTags.isEmpty && !tags.isDisjoint(with: skipTags) && !tags.contains("always") { return false }
        if tags.contains("never") && tags.isDisjoint(with: onlyTags) { return false }
        if onlyTags.isEmpty || onlyTags.contains("all") || tags.contains("always") { return true }
        return !tags.isDisjoint(with: onlyTags)
    }

    static func pythonList(_ items: [String]) -> String {
        "[" + items.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }
}

