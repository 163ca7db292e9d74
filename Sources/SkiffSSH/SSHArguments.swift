import SkiffCore

/// OpenSSH command-line options as inventories give them in `ansible_ssh_common_args` and
/// `ansible_ssh_extra_args`: `-o Key=Value` (also `-oKey=Value` and `-o 'Key Value'`), `-J hops`,
/// `-F file`, `-p port`, `-l user`, `-i file`. An option Skiff does not act on is refused, never ignored.
public struct SSHArguments: Sendable, Equatable {
    public var settings = SSHHostSettings()
    /// `-F`: the ssh_config file to read instead of `~/.ssh/config` (`none` reads no file).
    public var configFile: String?

    public init() {}

    /// Parses `text` (shell words); options already given keep their first value.
    public mutating func parse(_ text: String) throws(SSHOptionProblem) {
        let words: [String]
        do { words = try ShellWords.split(text) } catch { throw SSHOptionProblem("unclosed quote in '\(text)'") }
        var index = 0
        func value(of flag: String, attached: Substring) throws(SSHOptionProblem) -> String {
            if !attached.isEmpty { return String(attached) }
            index += 1
            guard index < words.count else { throw SSHOptionProblem("\(flag) needs a value") }
            return words[index]
        }
        while index < words.count {
            let word = words[index]
            guard word.hasPrefix("-"), word.count >= 2 else {
                throw SSHOptionProblem("'\(word)' is not an ssh option (expected -o Key=Value, -J, -F, -p, -l or -i)")
            }
            let flag = String(word.prefix(2))
            let attached = word.dropFirst(2)
            switch flag {
            case "-o": try option(try value(of: flag, attached: attached))
            case "-J": try settings.apply("ProxyJump", [try value(of: flag, attached: attached)])
            case "-p": try settings.apply("Port", [try value(of: flag, attached: attached)])
            case "-l": try settings.apply("User", [try value(of: flag, attached: attached)])
            case "-i": try settings.apply("IdentityFile", [try value(of: flag, attached: attached)])
            case "-F":
                let file = try value(of: flag, attached: attached)
                if configFile == nil { configFile = file }
            default:
                throw SSHOptionProblem("Skiff does not support the ssh option \(word)")
            }
            index += 1
        }
    }

    private mutating func option(_ text: String) throws(SSHOptionProblem) {
        let keywordEnd = text.firstIndex(where: { $0 == "=" || $0 == " " || $0 == "\t" }) ?? text.endIndex
        let keyword = String(text[..<keywordEnd])
        var rest = text[keywordEnd...].drop(while: { $0 == " " || $0 == "\t" })
        if rest.hasPrefix("=") { rest = rest.dropFirst() }
        guard SSHHostSettings.isKnown(keyword) else {
            throw SSHOptionProblem(
                "Skiff does not support the SSH option -o \(text) (it knows \(SSHHostSettings.knownKeywords.joined(separator: ", ")))")
        }
        let arguments = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        try settings.apply(keyword, arguments)
    }
}
