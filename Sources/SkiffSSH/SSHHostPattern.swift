/// ssh_config(5) patterns: `*` matches any run of characters, `?` one character, and a list matches
/// when some pattern matches and no negated (`!`) pattern does.
enum SSHHostPattern {
    static func matches(_ name: String, list patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if glob(Array(pattern.dropFirst().lowercased()), Array(name.lowercased())) { return false }
            } else if glob(Array(pattern.lowercased()), Array(name.lowercased())) {
                matched = true
            }
        }
        return matched
    }

    /// Wildcard match without recursion: the last `*` is remembered and retried one character later.
    static func glob(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
