/// ssh_config(5) patterns: `*` matches any run of characters, `?` one character (OpenSSH's wildcards,
/// as known_hosts uses them: `Wildcard`), case-insensitively; a list matches when some pattern matches
/// and no negated (`!`) pattern does.
enum SSHHostPattern {
    static func matches(_ name: String, list patterns: [String]) -> Bool {
        let name = name.lowercased()
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if Wildcard.matches(String(pattern.dropFirst()).lowercased(), name) { return false }
            } else if Wildcard.matches(pattern.lowercased(), name) {
                matched = true
            }
        }
        return matched
    }
}
