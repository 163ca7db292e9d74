#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffYAML

/// Reads inventory sources as `-i` names them: a file (YAML when it ends in .yml/.yaml/.json and reads
/// as a YAML inventory, INI otherwise), a directory of such files, or a comma-separated host list (`h1,h2,`); then the
/// `group_vars/` and `host_vars/` directories beside each source and beside the playbook.
public struct InventoryLoader {
    public init() {}

    public func load(sources: [String], playbookDirectory: String? = nil) throws -> Inventory {
        var inventory = Inventory()
        var varsDirectories: [String] = []
        for source in sources {
            var isDirectory = false
            if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) {
                if isDirectory {
                    for file in try inventoryFiles(in: source) { try loadFile(file, into: &inventory) }
                    varsDirectories.append(source)
                } else {
                    try loadFile(source, into: &inventory)
                    varsDirectories.append(Self.directory(of: source))
                }
            } else if source.contains(",") {
                for name in source.split(separator: ",").map({ $0.trimmingCharacters(in: " ") }) where !name.isEmpty {
                    for (host, port) in try HostName.expand(name, at: nil) {
                        let vars: OrderedDictionary<String, Value> = port.map { ["ansible_port": .int($0)] } ?? [:]
                        inventory.addHost(host, to: "ungrouped", vars: vars, at: nil)
                    }
                }
            } else {
                throw InventoryError("inventory source '\(source)' does not exist", hint: "give a file, a directory or a comma-separated host list such as 'web1,web2,'")
            }
        }
        inventory.finish()
        if let playbookDirectory { varsDirectories.append(playbookDirectory) }
        for directory in OrderedSet(varsDirectories) { try loadVarsDirectories(beside: directory, into: &inventory) }
        return inventory
    }

    func loadFile(_ path: String, into inventory: inout Inventory) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InventoryError("cannot read inventory file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard Self.isYAML(path) else {
            // A vault-encrypted INI inventory: every variable value in it is a secret.
            let (plain, vault) = try Self.reportingYAMLErrors { try YAMLValue.decryptedText(text, file: path) }
            if let vault {
                var read = Inventory()
                try INIInventoryParser(file: path).parse(plain, into: &read)
                vault.record(values: read.hosts.values.flatMap(\.vars.values) + read.groups.values.flatMap(\.vars.values))
            }
            return try INIInventoryParser(file: path).parse(plain, into: &inventory)
        }
        var read = inventory
        do {
            try Self.reportingYAMLErrors { try YAMLInventoryParser(file: path).parse(text, into: &read) }
        } catch let yamlProblem {
            // As Ansible does, a .yml file that is no YAML inventory is read as INI; when that fails
            // too, the YAML problem is the one to show.
            read = inventory
            do { try INIInventoryParser(file: path).parse(text, into: &read) } catch { throw yamlProblem }
        }
        inventory = read
    }

    /// YAML problems are inventory problems: same message, same location.
    static func reportingYAMLErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as YAMLError {
            throw InventoryError(error.message, at: error.location)
        }
    }

    static func isYAML(_ path: String) -> Bool {
        [".yml", ".yaml", ".json"].contains { path.hasSuffix($0) }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The inventory files of a directory, by name; hidden files, backups and vars directories skipped.
    private func inventoryFiles(in directory: String) throws -> [String] {
        let skipped = ["~", ".orig", ".bak", ".ini.orig", ".cfg", ".retry", ".pyc", ".pyo", ".md"]
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            .filter { name in
                !name.hasPrefix(".") && name != "group_vars" && name != "host_vars"
                    && !skipped.contains(where: { name.hasSuffix($0) })
            }
            .map { "\(directory)/\($0)" }
            .filter { path in
                var isDirectory = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory
            }
    }

    /// `group_vars/NAME` and `host_vars/NAME` beside an inventory or playbook: NAME.yml, NAME.yaml,
    /// NAME.json, NAME itself, or a directory NAME/ whose files are read in name order.
    private func loadVarsDirectories(beside directory: String, into inventory: inout Inventory) throws {
        for (kind, names) in [("group_vars", Array(inventory.groups.keys)), ("host_vars", Array(inventory.hosts.keys))] {
            let base = "\(directory)/\(kind)"
            guard FileManager.default.fileExists(atPath: base) else { continue }
            for name in names {
                for file in varsFiles(base: base, name: name) {
                    let vars = try loadVarsFile(file)
                    if kind == "group_vars" {
                        inventory.setGroupFileVars(vars, for: name)
                    } else {
                        inventory.setHostFileVars(vars, for: name)
                    }
                }
            }
        }
    }

    private func varsFiles(base: String, name: String) -> [String] {
        var files: [String] = []
        for candidate in ["\(base)/\(name)", "\(base)/\(name).yml", "\(base)/\(name).yaml", "\(base)/\(name).json"] {
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) else { continue }
            if isDirectory {
                let inside = (try? FileManager.default.contentsOfDirectory(atPath: candidate)) ?? []
                files += inside.sorted().filter { !$0.hasPrefix(".") }.map { "\(candidate)/\($0)" }
            } else {
                files.append(candidate)
            }
        }
        return files
    }

    func loadVarsFile(_ path: String) throws -> OrderedDictionary<String, Value> {
        try Self.reportingYAMLErrors { try readVarsFile(path) }
    }

    private func readVarsFile(_ path: String) throws -> OrderedDictionary<String, Value> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InventoryError("cannot read variables file \(path)")
        }
        guard let node = try YAMLValue.compose(String(decoding: data, as: UTF8.self), file: path) else { return [:] }
        if YAMLValue.isNull(node) { return [:] }
        guard case .dict(let vars) = try YAMLValue.value(of: node, file: path) else {
            throw InventoryError("a variables file must hold a mapping of names to values", at: YAMLValue.location(of: node, file: path))
        }
        try PortCheck.check(node, file: path)
        return vars
    }
}
