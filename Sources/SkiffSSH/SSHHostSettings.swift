import SkiffCore

/// What OpenSSH options say about one host: from `-o Key=Value` on a command line or
/// `ansible_ssh_common_args`, and from `ssh_config` files. As in ssh_config(5) the first value given for
/// a keyword wins (command line before config file, earlier blocks before later ones), except
/// `IdentityFile`, which collects every value.
public struct SSHHostSettings: Sendable, Equatable {
    public var hostName: String?
    public var user: String?
    public var port: Int?
    public var identityFiles: [String] = []
    public var identitiesOnly: Bool?
    /// The jump hosts, outermost first; empty for `ProxyJump none`.
    public var proxyJump: [JumpHostSpec]?
    public var userKnownHostsFiles: [String]?
    public var strictHostKeyChecking: HostKeyPolicy?
    public var connectTimeout: Duration?
    public var serverAliveInterval: Duration?
    public var serverAliveCountMax: Int?

    public init() {}

    /// The keywords Skiff acts on, spelled as ssh_config(5) spells them.
    public static let knownKeywords = [
        "HostName", "User", "Port", "IdentityFile", "IdentitiesOnly", "ProxyJump", "UserKnownHostsFile",
        "StrictHostKeyChecking", "ConnectTimeout", "ServerAliveInterval", "ServerAliveCountMax",
    ]

    public static func isKnown(_ keyword: String) -> Bool {
        knownKeywords.contains { $0.lowercased() == keyword.lowercased() }
    }

    /// Sets `keyword` to `arguments` unless it already has a value. Throws a message (without location)
    /// when the value is malformed. The keyword must be one of ``knownKeywords``.
    public mutating func apply(_ keyword: String, _ arguments: [String]) throws(SSHOptionProblem) {
        guard let first = arguments.first, !first.isEmpty else {
            throw SSHOptionProblem("\(keyword) needs a value")
        }
        let key = keyword.lowercased()
        if key != "identityfile" && key != "userknownhostsfile" && arguments.count > 1 {
            throw SSHOptionProblem("\(keyword) takes one value, not \(arguments.count)")
        }
        switch key {
        case "hostname": if hostName == nil { hostName = first }
        case "user": if user == nil { user = first }
        case "port":
            guard let number = Int(first), (1...65535).contains(number) else {
                throw SSHOptionProblem("Port '\(first)' is not a port number")
            }
            if port == nil { port = number }
        case "identityfile": identityFiles += arguments
        case "identitiesonly": if identitiesOnly == nil { identitiesOnly = try Self.flag(keyword, first) }
        case "proxyjump":
            let hops = try JumpHostSpec.list(first)
            if proxyJump == nil { proxyJump = hops }
        case "userknownhostsfile": if userKnownHostsFiles == nil { userKnownHostsFiles = arguments }
        case "stricthostkeychecking":
            let policy: HostKeyPolicy
            switch first.lowercased() {
            case "yes", "ask": policy = .strict
            case "accept-new": policy = .acceptNew
            case "no", "off": policy = .insecureAcceptAnyHostKey
            default: throw SSHOptionProblem("StrictHostKeyChecking must be yes, accept-new, ask or no, not '\(first)'")
            }
            if strictHostKeyChecking == nil { strictHostKeyChecking = policy }
        case "connecttimeout":
            let seconds = try Self.seconds(keyword, first)
            if connectTimeout == nil { connectTimeout = seconds }
        case "serveraliveinterval":
            let seconds = try Self.seconds(keyword, first)
            if serverAliveInterval == nil { serverAliveInterval = seconds }
        case "serveralivecountmax":
            guard let count = Int(first), count >= 0 else {
                throw SSHOptionProblem("ServerAliveCountMax '\(first)' is not a count")
            }
            if serverAliveCountMax == nil { serverAliveCountMax = count }
        default:
            throw SSHOptionProblem("Skiff does not support the SSH option \(keyword)")
        }
    }

    private static func flag(_ keyword: String, _ value: String) throws(SSHOptionProblem) -> Bool {
        switch value.lowercased() {
        case "yes", "true": return true
        case "no", "false": return false
        default: throw SSHOptionProblem("\(keyword) must be yes or no, not '\(value)'")
        }
    }

    /// OpenSSH's time format: `30`, `30s`, `5m`, `1h`, `1m30s`.
    private static func seconds(_ keyword: String, _ value: String) throws(SSHOptionProblem) -> Duration {
        var total = 0
        var number = 0
        var digits = 0
        for character in value.lowercased() {
            if let digit = character.wholeNumberValue, character.isASCII {
                guard digits < 9 else { throw SSHOptionProblem("\(keyword) '\(value)' is too long a time") }
                number = number * 10 + digit
                digits += 1
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            default: throw SSHOptionProblem("\(keyword) '\(value)' is not a time in seconds")
            }
            guard digits > 0 else { throw SSHOptionProblem("\(keyword) '\(value)' is not a time in seconds") }
            total += number * unit
            number = 0
            digits = 0
        }
        total += number
        guard total < 1_000_000_000 else { throw SSHOptionProblem("\(keyword) '\(value)' is too long a time") }
        return .seconds(total)
    }
}

/// A malformed or unsupported SSH option; the caller adds where it came from.
public struct SSHOptionProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension SSHHostSettings {
    /// Takes each value of `later` that is not set here (identity files are appended).
    public mutating func merge(_ later: SSHHostSettings) {
        hostName = hostName ?? later.hostName
        user = user ?? later.user
        port = port ?? later.port
        identityFiles += later.identityFiles
        identitiesOnly = identitiesOnly ?? later.identitiesOnly
        proxyJump = proxyJump ?? later.proxyJump
        userKnownHostsFiles = userKnownHostsFiles ?? later.userKnownHostsFiles
        strictHostKeyChecking = strictHostKeyChecking ?? later.strictHostKeyChecking
        connectTimeout = connectTimeout ?? later.connectTimeout
        serverAliveInterval = serverAliveInterval ?? later.serverAliveInterval
        serverAliveCountMax = serverAliveCountMax ?? later.serverAliveCountMax
    }
}
