import OrderedCollections
import SkiffCore

/// Reads Ansible's INI inventory format into an `Inventory`.
///
/// `[group]` lists hosts (`name [key=value …]`, ranges like `web[01:20]`, `name:port`),
/// `[group:vars]` sets group variables, `[group:children]` nests groups; lines before any section are
/// ungrouped hosts. Values are typed as Ansible types them (see `PythonLiteral`).
struct INIInventoryParser {
    let file: String

    func parse(_ text: String, into inventory: inout Inventory) throws {
        var section = Section.hosts("ungrouped")
        var pendingChildren: [(child: String, parent: String, location: SourceLocation)] = []
        // A group exists when it has a [name] or [name:children] section (anywhere in the file);
        // [name:vars] alone, or only being named as a child, does not define it (as in Ansible).
        var defined: Set<String> = ["all", "ungrouped"]
        var varsSections: [(group: String, location: SourceLocation)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            let location = SourceLocation(file: file, line: index + 1, column: rawLine.prefix { $0 == " " || $0 == "\t" }.count + 1)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if Self.isSectionHeader(line) {
                section = try parseHeader(line, at: location)
                switch section {
                case .hosts(let group), .children(let group):
                    defined.insert(group)
                    inventory.addGroup(group, at: location)
                case .vars(let group):
                    varsSections.append((group, location))
                }
                continue
            }
            switch section {
            case .hosts(let group):
                try parseHostLine(line, group: group, at: location, into: &inventory)
            case .vars(let group):
                guard let equals = line.firstIndex(of: "=") else {
                    throw InventoryError(
                        "expected key=value in [\(group):vars], got '\(line)'", at: location)
                }
                let key = line[..<equals].trimmingCharacters(in: " \t")
                let value = line[line.index(after: equals)...].trimmingCharacters(in: " \t")
                try Self.checkVariableName(key, at: location)
                let vars: OrderedDictionary<String, Value> = [key: PythonLiteral.value(of: value)]
                try PortCheck.check(vars, at: location)
                inventory.setGroupVars(vars, for: group, at: location)
            case .children(let group):
                let child = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? line
                pendingChildren.append((child, group, location))
            }
        }
        // Children may name groups defined further down the file.
        for (child, parent, location) in pendingChildren {
            guard defined.contains(child) else {
                throw InventoryError(
                    "section [\(parent):children] includes undefined group '\(child)'", at: location,
                    hint: "add a [\(child)] section, even an empty one")
            }
            try inventory.addChild(child, to: parent, at: location)
        }
        for (group, location) in varsSections where !defined.contains(group) {
            throw InventoryError(
                "section [\(group):vars] is for group '\(group)', which is not defined", at: location,
                hint: "add a [\(group)] section, even an empty one")
        }
    }

    private enum Section {
        case hosts(String)
        case vars(String)
        case children(String)
    }

    /// `[name]` or `[name:suffix]`, optionally followed by a comment; any other line starting with `[`
    /// is a host (such as `[2001:db8::1]:2222`), as in Ansible.
    static func isSectionHeader(_ line: String) -> Bool {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return false }
        let inner = line[line.index(after: line.startIndex)..<close]
        let rest = line[line.index(after: close)...].trimmingCharacters(in: " \t")
        guard rest.isEmpty || rest.hasPrefix("#") else { return false }
        let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else { return false }
        return parts.count == 1 || parts[1].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    private func parseHeader(_ line: String, at location: SourceLocation) throws -> Section {
        let close = line.firstIndex(of: "]") ?? line.endIndex
        let inner = String(line[line.index(after: line.startIndex)..<close])
        let parts = inner.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        try Self.checkGroupName(name, at: location)
        guard parts.count == 2 else { return .hosts(name) }
        switch parts[1] {
        case "vars": return .vars(name)
        case "children": return .children(name)
        default:
            throw InventoryError(
                "section '[\(inner)]' has an unknown suffix ':\(parts[1])'", at: location,
                hint: "use [\(name)], [\(name):vars] or [\(name):children]")
        }
    }

    private func parseHostLine(_ line: String, group: String, at location: SourceLocation, into inventory: inout Inventory)
        throws
    {
        let words: [String]
        do {
            words = try ShellWords.split(line, comments: true)
        } catch {
            throw InventoryError("unclosed quote in host line '\(line)'", at: location)
        }
        guard let first = words.first else { return }
        var vars = OrderedDictionary<String, Value>()
        for word in words.dropFirst() {
            guard let equals = word.firstIndex(of: "=") else {
                throw InventoryError(
                    "expected key=value host variable, got '\(word)'", at: location,
                    hint: "one host per line: name followed by key=value pairs")
            }
            let key = String(word[..<equals])
            try Self.checkVariableName(key, at: location)
            vars[key] = PythonLiteral.value(of: String(word[word.index(after: equals)...]))
        }
        try PortCheck.check(vars, at: location)
        for (name, port) in try HostName.expand(first, at: location) {
            var hostVars = vars
            if let port, hostVars["ansible_port"] == nil { hostVars["ansible_port"] = .int(port) }
            inventory.addHost(name, to: group, vars: hostVars, at: location)
        }
    }

    static func checkGroupName(_ name: String, at location: SourceLocation) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
            throw InventoryError(
                "invalid group name '\(name)'", at: location, hint: "use letters, digits and underscores")
        }
    }

    static func checkVariableName(_ name: String, at location: SourceLocation) throws {
        guard let first = name.first, first.isLetter || first == "_",
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else {
            throw InventoryError("invalid variable name '\(name)'", at: location)
        }
    }
}

/// A host name as written in an inventory: ranges expanded, an optional `:port` split off.
enum HostName {
    static func expand(_ written: String, at location: SourceLocation?) throws -> [(name: String, port: Int?)] {
        if written.hasSuffix(":") && !written.contains("::") {
            throw InventoryError("host '\(written)' ends in ':', which is kept for a port", at: location,
                                 hint: "write host:PORT, or drop the ':'")
        }
        var name = written
        var port: Int?
        if written.hasPrefix("["), let close = written.firstIndex(of: "]"),
            written[written.index(after: close)...].hasPrefix(":"),
            let number = Int(written[written.index(close, offsetBy: 2)...]),
            written[written.index(after: written.startIndex)..<close].contains(":")
        {
            // `[2001:db8::1]:2222`: an IPv6 address with a port.
            name = String(written[written.index(after: written.startIndex)..<close])
            port = number
        } else if let colon = written.lastIndex(of: ":"), written.firstIndex(of: ":") == colon,
            let number = Int(written[written.index(after: colon)...])
        {
            // `host:2222` (an IPv6 address has more than one colon).
            name = String(written[..<colon])
            port = number
        }
        if let port, let problem = PortVariable.problem(with: .int(port)) {
            throw InventoryError("host '\(written)': port \(problem)", at: location)
        }
        do {
            return try HostRange.expand(name).map { ($0, port) }
        } catch let failure as HostRange.Failure {
            throw InventoryError(failure.message, at: location)
        }
    }
}
