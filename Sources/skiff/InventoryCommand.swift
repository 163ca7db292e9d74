import ArgumentParser
import SkiffCore
import SkiffInventory
import SkiffYAML

/// `skiff inventory`: shows what an inventory means, as `ansible-inventory` does.
struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Show an inventory's hosts, groups and variables (like ansible-inventory).",
        discussion: "Exit status 5 when the inventory or pattern is invalid."
    )

    @Option(name: [.customShort("i"), .long], help: "Inventory file, directory or comma-separated host list (repeatable).")
    var inventory: [String] = []

    @Option(name: [.customShort("l"), .long], help: "Only hosts matching this pattern (@FILE reads patterns from a file).")
    var limit: String?

    @Flag(name: .long, help: "All groups and hosts with their variables, as JSON.")
    var list = false

    @Flag(name: .long, help: "The group tree.")
    var graph = false

    @Option(name: .long, help: "One host's variables, as JSON.")
    var host: String?

    @Option(name: .long, help: "The hosts a pattern selects, as `ansible PATTERN --list-hosts` prints them.")
    var listHosts: String?

    @Flag(name: .long, help: "Show the values of secret variables (passwords, tokens, keys, values of vault files) in --list and --host, as ansible-inventory does; by default they show as ********.")
    var showSecrets = false

    @OptionGroup var vault: VaultOptions

    func validate() throws {
        guard [list, graph, host != nil, listHosts != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --list, --graph, --host HOST, --list-hosts PATTERN")
        }
    }

    func run() throws {
        let sources = inventory.isEmpty ? [Environment.value("SKIFF_INVENTORY") ?? "/etc/ansible/hosts"] : inventory
        // Vault files and inline `!vault` values are decrypted with the passwords given as for a run.
        let session = VaultSession(keyring: try vault.keyring())
        do {
            let loaded = try VaultSession.$current.withValue(session) { try InventoryLoader().load(sources: sources) }
            if !session.failures.isEmpty { throw InventoryError(session.failures.map(\.description).joined(separator: "\n")) }
            if list {
                Console.out(JSONText.pretty(InventoryListing.list(loaded, showSecrets: showSecrets, vault: session)))
            } else if graph {
                Console.out(InventoryListing.graph(loaded))
            } else if let pattern = listHosts {
                var hosts = try HostPattern.select(pattern, in: loaded)
                if let limit {
                    let allowed = Set(try HostPattern.limit(limit, in: loaded))
                    hosts = hosts.filter(allowed.contains)
                }
                Console.out("  hosts (\(hosts.count)):" + hosts.map { "\n    \($0)" }.joined())
            } else if let host {
                guard loaded.hosts[host] != nil else { throw InventoryError("no host '\(host)' in the inventory") }
                Console.out(JSONText.pretty(.dict(InventoryListing.host(host, in: loaded, showSecrets: showSecrets, vault: session))))
            }
        } catch let error as InventoryError {
            // A vault value that did not open is the cause to show, with its file and line.
            Console.error(session.failures.isEmpty ? error.description : session.failures.map(\.description).joined(separator: "\n"))
            throw ExitCode(5)
        }
    }
}
