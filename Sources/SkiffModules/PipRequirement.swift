/// A pip requirement as `pip` reads the simple ones — `name`, `name[extra]`, `name>=1.0,<2`, `name==1.4.*`,
/// `name~=1.4.2` — and whether installed versions satisfy it (PEP 440 ordering of releases, pre-, post-
/// and dev-releases). Anything else (a URL, a path, a VCS link) is no `PipRequirement`: pip decides.
struct PipRequirement: Equatable, Sendable {
    /// The normalized name (PEP 503: lower case, runs of `-`, `_`, `.` made one `-`).
    let name: String
    let specifiers: [(op: String, version: String)]

    static func == (lhs: PipRequirement, rhs: PipRequirement) -> Bool {
        lhs.name == rhs.name && lhs.specifiers.map { $0.op + $0.version } == rhs.specifiers.map { $0.op + $0.version }
    }

    init?(_ text: String) {
        guard let match = text.wholeMatch(of: #/\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[A-Za-z0-9._,\s-]*\])?\s*(.*?)\s*/#) else {
            return nil
        }
        name = Self.normalized(String(match.1))
        var specifiers: [(op: String, version: String)] = []
        let rest = String(match.2)
        if !rest.isEmpty {
            for piece in rest.split(separator: ",") {
                guard let spec = piece.wholeMatch(of: #/\s*(===|~=|==|!=|<=|>=|<|>)\s*([A-Za-z0-9.*+!_-]+)\s*/#) else { return nil }
                specifiers.append((String(spec.1), String(spec.2)))
            }
        }
        self.specifiers = specifiers
    }

    static func normalized(_ name: String) -> String {
        name.lowercased().replacing(#/[-_.]+/#, with: "-")
    }

    /// Names split at commas (a `name: "a>=1,<2"` string is a list to Ansible) joined again where a piece
    /// is only a version specifier.
    static func rejoined(_ pieces: [String]) -> [String] {
        var names: [String] = []
        for piece in pieces {
            let trimmed = piece.trimmingCharacters(in: " ")
            if let first = trimmed.first, "<>=!~".contains(first), let last = names.popLast() {
                names.append(last + "," + trimmed)
            } else {
                names.append(trimmed)
            }
        }
        return names
    }

    /// `name==version` lines of `pip list --format=freeze`, by normalized name.
    static func installed(_ listing: String) -> [String: String] {
        var versions: [String: String] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: "=", omittingEmptySubsequences: true)
            guard parts.count == 2, line.contains("==") else { continue }
            versions[normalized(String(parts[0]).trimmingCharacters(in: " "))] = String(parts[1]).trimmingCharacters(in: " \r")
        }
        return versions
    }

    func isSatisfied(by installed: [String: String]) -> Bool {
        guard let have = installed[name] else { return false }
        return specifiers.allSatisfy { Self.satisfies(have, $0.op, $0.version) }
    }

    static func satisfies(_ have: String, _ op: String, _ wanted: String) -> Bool {
        if op == "===" { return have == wanted }
        if wanted.hasSuffix(".*"), op == "==" || op == "!=" {
            let prefix = PEP440Version(String(wanted.dropLast(2))).release
            let release = PEP440Version(have).release
            let matches = release.count >= prefix.count && Array(release.prefix(prefix.count)) == prefix
                || release.count < prefix.count && release + Array(repeating: 0, count: prefix.count - release.count) == prefix
            return op == "==" ? matches : !matches
        }
        let order = PEP440Version(have).compare(PEP440Version(wanted))
        switch op {
        case "==": return order == 0
        case "!=": return order != 0
        case "<=": return order <= 0
        case ">=": return order >= 0
        case "<": return order < 0
        case ">": return order > 0
        case "~=":
            let release = PEP440Version(wanted).release
            guard release.count >= 2 else { return order >= 0 }
            let prefix = release.dropLast().map(String.init).joined(separator: ".")
            return order >= 0 && satisfies(have, "==", prefix + ".*")
        default: return false
        }
    }
}

/// A version as PEP 440 orders it: epoch, release numbers, then a pre-release (a < b < rc) before the
/// release, a post-release after it and a dev-release before everything of its release. Unreadable
/// parts count as zero: the comparison never fails.
struct PEP440Version {
    var epoch = 0
    var release: [Int] = []
    /// (kind 0 a, 1 b, 2 rc; number)
    var pre: (Int, Int)?
    var post: Int?
    var dev: Int?

    init(_ text: String) {
        var rest = Substring(text.lowercased().trimmingCharacters(in: " "))
        if rest.first == "v" { rest = rest.dropFirst() }
        if let bang = rest.firstIndex(of: "!") {
            epoch = Int(rest[..<bang]) ?? 0
            rest = rest[rest.index(after: bang)...]
        }
        if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
        let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        release = digits.split(separator: ".").map { Int($0.prefix(18)) ?? 0 }
        while release.count > 1 && release.last == 0 { release.removeLast() }
        var tail = String(rest.dropFirst(digits.count))
        func take(_ words: [String]) -> Int? {
            for word in words {
                guard let range = tail.firstRange(of: word) else { continue }
                let after = tail[range.upperBound...].drop { $0 == "." || $0 == "-" || $0 == "_" }
                let number = after.prefix { $0.isNumber }
                tail.removeSubrange(range.lowerBound..<after.index(after.startIndex, offsetBy: number.count))
                return Int(number.prefix(18)) ?? 0
            }
            return nil
        }
        dev = take(["dev"])
        if let number = take(["preview", "pre", "rc", "c"]) { pre = (2, number) }
        else if let number = take(["beta", "b"]) { pre = (1, number) }
        else if let number = take(["alpha", "a"]) { pre = (0, number) }
        post = take(["post", "rev", "r"])
        if post == nil, tail.hasPrefix("-"), let number = Int(tail.dropFirst().prefix(18)) { post = number }
    }

    /// -1, 0 or 1.
    func compare(_ other: PEP440Version) -> Int {
        if epoch != other.epoch { return epoch < other.epoch ? -1 : 1 }
        for index in 0..<max(release.count, other.release.count) {
            let a = index < release.count ? release[index] : 0
            let b = index < other.release.count ? other.release[index] : 0
            if a != b { return a < b ? -1 : 1 }
        }
        let keys = [sortKey, other.sortKey]
        for (a, b) in zip(keys[0], keys[1]) where a != b { return a < b ? -1 : 1 }
        return 0
    }

    /// Pre-release, post-release, dev-release, as comparable numbers (PEP 440's order).
    private var sortKey: [Int] {
        let preKey: [Int]
        if let pre { preKey = [pre.0, pre.1] }
        else if post == nil, dev != nil { preKey = [-1, 0] }
        else { preKey = [3, 0] }
        let postKey = post.map { [1, $0] } ?? [0, 0]
        let devKey = dev.map { [0, $0] } ?? [1, 0]
        return preKey + postKey + devKey
    }
}
