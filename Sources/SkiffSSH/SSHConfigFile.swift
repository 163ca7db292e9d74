import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// An OpenSSH client configuration (`~/.ssh/config`, or the file `-F` names): `Host` and `Match` blocks,
/// `Include`, and the keywords of ``SSHHostSettings``. Keywords Skiff does not act on are skipped, as they
/// configure the user's own ssh; `ProxyCommand` in a block that applies to a host is refused, because
/// going around it would connect somewhere else than ssh does.
public struct SSHConfigFile: Sendable {
    struct Entry: Sendable {
        let keyword: String
        let arguments: [String]
        let file: String
        let line: Int
    }

    enum Criterion: Sendable {
        case all
        case host([String])
        case originalHost([String])
        case user([String])
        case localUser([String])
    }

    struct Block: Sendable {
        /// nil: the lines before the first `Host`/`Match`, which apply to every host.
        var hostPatterns: [String]?
        var criteria: [(criterion: Criterion, negated: Bool)]?
        var entries: [Entry] = []
    }

    public let path: String
    var blocks: [Block] = []

    /// `~/.ssh/config` of `home`, or an empty configuration when there is none.
    public static func loadUserConfig(home: String) throws(SSHConfigError) -> SSHConfigFile {
        let path = "\(home)/.ssh/config"
        guard access(path, F_OK) == 0 else { return SSHConfigFile(path: path, blocks: []) }
        return try load(path: path, home: home)
    }

    /// Reads the file at `path` (a `-F` file must exist).
    public static func load(path: String, home: String) throws(SSHConfigError) -> SSHConfigFile {
        var config = SSHConfigFile(path: path, blocks: [Block()])
        try config.read(path: path, home: home, depth: 0)
        return config
    }

    /// Parses configuration text (tests, and files already read).
    public static func parse(_ text: String, path: String, home: String) throws(SSHConfigError) -> SSHConfigFile {
        var config = SSHConfigFile(path: path, blocks: [Block()])
        try config.parse(text, file: path, home: home, depth: 0)
        return config
    }

    private init(path: String, blocks: [Block]) {
        self.path = path
        self.blocks = blocks
    }

    private mutating func read(path: String, home: String, depth: Int) throws(SSHConfigError) {
        guard let bytes = FileContents.read(path) else {
            throw SSHConfigError(file: path, line: 0, "cannot read the SSH config file: \(String(cString: strerror(errno)))")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        try parse(text, file: path, home: home, depth: depth)
    }

    private mutating func parse(_ text: String, file: String, home: String, depth: Int) throws(SSHConfigError) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            func problem(_ message: String) -> SSHConfigError { SSHConfigError(file: file, line: lineNumber, message) }
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let keywordEnd = line.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) ?? line.endIndex
            let keyword = String(line[..<keywordEnd])
            var rest = line[keywordEnd...].drop(while: { $0 == " " || $0 == "\t" })
            if rest.hasPrefix("=") { rest = rest.dropFirst() }
            let arguments: [String]
            do {
                arguments = try ShellWords.split(String(rest), comments: true)
            } catch {
                throw problem("unclosed quote")
            }
            guard !arguments.isEmpty else { throw problem("\(keyword) needs a value") }
            switch keyword.lowercased() {
            case "host":
                blocks.append(Block(hostPatterns: arguments))
            case "match":
                blocks.append(Block(criteria: try Self.criteria(arguments, problem: problem)))
            case "include":
                guard depth < 16 else { throw problem("Include nests too deeply") }
                for pattern in arguments {
                    for included in Self.expandInclude(pattern, home: home) {
                        let condition = blocks[blocks.count - 1]
                        try read(path: included, home: home, depth: depth + 1)
                        // Lines after the Include belong to the block the Include was in.
                        blocks.append(Block(hostPatterns: condition.hostPatterns, criteria: condition.criteria))
                    }
                }
            default:
                if SSHHostSettings.isKnown(keyword) {
                    var check = SSHHostSettings()
                    do { try check.apply(keyword, arguments) } catch { throw problem(error.message) }
                }
                blocks[blocks.count - 1].entries.append(
                    Entry(keyword: keyword, arguments: arguments, file: file, line: lineNumber))
            }
        }
    }

    private static func criteria(_ words: [String], problem: (String) -> SSHConfigError) throws(SSHConfigError)
        -> [(criterion: Criterion, negated: Bool)]
    {
        var result: [(criterion: Criterion, negated: Bool)] = []
        var index = 0
        while index < words.count {
            var name = words[index].lowercased()
            let negated = name.hasPrefix("!")
            if negated { name.removeFirst() }
            index += 1
            if name == "all" {
                result.append((.all, negated))
                continue
            }
            guard index < words.count else { throw problem("Match \(name) needs a pattern list") }
            let patterns = words[index].split(separator: ",").map(String.init)
            index += 1
            switch name {
            case "host": result.append((.host(patterns), negated))
            case "originalhost": result.append((.originalHost(patterns), negated))
            case "user": result.append((.user(patterns), negated))
            case "localuser": result.append((.localUser(patterns), negated))
            default:
                throw problem("Match \(name) is not supported by Skiff (use Match host, originalhost, user, localuser or all)")
            }
        }
        return result
    }

    private static func expandInclude(_ pattern: String, home: String) -> [String] {
        var path = pattern
        if path.hasPrefix("~/") { path = home + path.dropFirst() } else if !path.hasPrefix("/") { path = "\(home)/.ssh/\(path)" }
        var matches = glob_t()
        defer { globfree(&matches) }
        guard Glibc.glob(path, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// Adds what this file says about `host` (the name Skiff connects to, before `HostName`) to
    /// `settings`; values already set win.
    public func resolve(host: String, localUser: String, into settings: inout SSHHostSettings) throws(SSHConfigError) {
        for block in blocks where applies(block, host: host, localUser: localUser, settings: settings) {
            for entry in block.entries {
                if SSHHostSettings.isKnown(entry.keyword) {
                    do { try settings.apply(entry.keyword, entry.arguments) } catch {
                        throw SSHConfigError(file: entry.file, line: entry.line, error.message)
                    }
                } else if entry.keyword.lowercased() == "proxycommand" && entry.arguments.first?.lowercased() != "none" {
                    throw SSHConfigError(
                        file: entry.file, line: entry.line,
                        "ProxyCommand applies to \(host), and Skiff does not run proxy commands (use ProxyJump)")
                }
            }
        }
    }

    private func applies(_ block: Block, host: String, localUser: String, settings: SSHHostSettings) -> Bool {
        if let patterns = block.hostPatterns { return SSHHostPattern.matches(host, list: patterns) }
        guard let criteria = block.criteria else { return true }
        for (criterion, negated) in criteria {
            let matched: Bool
            switch criterion {
            case .all: matched = true
            case .host(let patterns): matched = SSHHostPattern.matches(settings.hostName ?? host, list: patterns)
            case .originalHost(let patterns): matched = SSHHostPattern.matches(host, list: patterns)
            case .user(let patterns): matched = SSHHostPattern.matches(settings.user ?? localUser, list: patterns)
            case .localUser(let patterns): matched = SSHHostPattern.matches(localUser, list: patterns)
            }
            if matched == negated { return false }
        }
        return true
    }
}
