#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore

/// Ansible host patterns, as in a play's `hosts:` and `--limit`: host and group names, `all` and `*`,
/// globs (`web*`, `db?.example.com`), regular expressions (`~web\d+`), subscripts (`web[0]`, `web[1:3]`),
/// unions (`a:b`, `a,b`), intersections (`&a`) and exclusions (`!a`).
public enum HostPattern {
    /// The hosts `pattern` selects, in inventory order.
    public static func select(_ pattern: String, in inventory: Inventory, at location: SourceLocation? = nil) throws -> [String] {
        let terms = split(pattern)
        let regular = terms.filter { !$0.hasPrefix("&") && !$0.hasPrefix("!") }
        let intersections = terms.filter { $0.hasPrefix("&") }.map { String($0.dropFirst()) }
        let exclusions = terms.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) }
        var selected: [String] = []
        var seen = Set<String>()
        for term in regular.isEmpty ? ["all"] : regular {
            for host in try matchOne(term, in: inventory, at: location) where seen.insert(host).inserted {
                selected.append(host)
            }
        }
        for term in intersections {
            let keep = Set(try matchOne(term, in: inventory, at: location))
            selected = selected.filter(keep.contains)
        }
        for term in exclusions {
            let drop = Set(try matchOne(term, in: inventory, at: location))
            selected = selected.filter { !drop.contains($0) }
        }
        return selected
    }

    /// `--limit`: like `select`, but `@file` reads one pattern per line, and matching nothing is an error.
    public static func limit(_ pattern: String, in inventory: Inventory) throws -> [String] {
        var text = pattern
        if pattern.hasPrefix("@") {
            let path = String(pattern.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InventoryError("cannot read limit file \(path)")
            }
            text = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
                .joined(separator: ",")
        }
        let hosts = try select(text, in: inventory)
        if hosts.isEmpty {
            throw InventoryError("--limit '\(pattern)' matches no host in the inventory", hint: "check the host and group names")
        }
        return hosts
    }

    /// Splits on commas when there are any, else on colons outside `[...]` (a single `host:port`-like
    /// IPv6 address stays whole).
    public static func split(_ pattern: String) -> [String] {
        if pattern.contains(",") {
            return pattern.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
        }
        if pattern.filter({ $0 == ":" }).count > 1 && !pattern.contains("[") && pattern.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) {
            return [pattern]
        }
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in pattern {
            switch character {
            case "[": depth += 1
            case "]": depth -= 1
            default: break
            }
            if character == ":" && depth == 0 {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        return terms.map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    private static func matchOne(_ term: String, in inventory: Inventory, at location: SourceLocation?) throws -> [String] {
        let (base, slice) = try parseSubscript(term, at: location)
        var results: [String] = []
        let groups = try matching(base, in: Array(inventory.groups.keys), at: location)
        for group in groups { results += inventory.hosts(in: group) }
        let special = base.hasPrefix("~") || base.contains(where: { ".?*[".contains($0) })
        if groups.isEmpty || special {
            results += try matching(base, in: Array(inventory.hosts.keys), at: location)
        }
        var seen = Set<String>()
        results = results.filter { seen.insert($0).inserted }
        guard let slice else { return results }
        return slice.apply(to: results)
    }

    struct Subscript {
        let start: Int
        let end: Int?
        let isRange: Bool

        func apply(to hosts: [String]) -> [String] {
            func index(_ value: Int) -> Int { value < 0 ? hosts.count + value : value }
            if !isRange {
                let position = index(start)
                return hosts.indices.contains(position) ? [hosts[position]] : []
            }
            let first = max(0, index(start))
            let last = min(hosts.count - 1, index(end ?? -1))
            return first <= last ? Array(hosts[first...last]) : []
        }
    }

    /// `name[3]`, `name[-1]`, `name[1:3]` (inclusive), `name[2:]`.
    static func parseSubscript(_ term: String, at location: SourceLocation?) throws -> (String, Subscript?) {
        guard !term.hasPrefix("~"), term.hasSuffix("]"), let open = term.lastIndex(of: "["), open != term.startIndex else {
            return (term, nil)
        }
        let base = String(term[..<open])
        let inner = String(term[term.index(after: open)..<term.index(before: term.endIndex)])
        if let single = Int(inner) { return (base, Subscript(start: single, end: nil, isRange: false)) }
        let parts = inner.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, let start = Int(parts[0]), parts[1].isEmpty || Int(parts[1]) != nil {
            return (base, Subscript(start: start, end: Int(parts[1]), isRange: true))
        }
        return (term, nil)  // a glob character class such as web[12ab]
    }

    /// Names matching one pattern: `~regex` (matched from the start), a glob, or an exact name.
    private static func matching(_ pattern: String, in names: [String], at location: SourceLocation?) throws -> [String] {
        if pattern.hasPrefix("~") {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(String(pattern.dropFirst())).matchingSemantics(.unicodeScalar)
            } catch {
                throw InventoryError("invalid regular expression in host pattern '\(pattern)'", at: location)
            }
            return names.filter { name in
                name.prefixMatch(of: regex) != nil
            }
        }
        if pattern.contains(where: { "*?[".contains($0) }) {
            return names.filter { Glob.matches(pattern, $0) }
        }
        return names.contains(pattern) ? [pattern] : []
    }
}

/// Shell-style globs as Python's fnmatch: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`.
enum Glob {
    static func matches(_ pattern: String, _ name: String) -> Bool {
        matches(Array(pattern), 0, Array(name), 0)
    }

    private static func matches(_ p: [Character], _ pi: Int, _ n: [Character], _ ni: Int) -> Bool {
        if pi == p.count { return ni == n.count }
        switch p[pi] {
        case "*":
            for next in ni...n.count where matches(p, pi + 1, n, next) { return true }
            return false
        case "?":
            return ni < n.count && matches(p, pi + 1, n, ni + 1)
        case "[":
            guard let close = p[(pi + 1)...].firstIndex(of: "]"), ni < n.count else {
                return ni < n.count && n[ni] == "[" && matches(p, pi + 1, n, ni + 1)
            }
            var set = Array(p[(pi + 1)..<close])
            let negated = set.first == "!"
            if negated { set.removeFirst() }
            var found = false
            var index = 0
            while index < set.count {
                if index + 2 < set.count && set[index + 1] == "-" {
                    if set[index] <= n[ni] && n[ni] <= set[index + 2] { found = true }
                    index += 3
                } else {
                    if set[index] == n[ni] { found = true }
                    index += 1
                }
            }
            return found != negated && matches(p, close + 1, n, ni + 1)
        default:
            return ni < n.count && p[pi] == n[ni] && matches(p, pi + 1, n, ni + 1)
        }
    }
}
