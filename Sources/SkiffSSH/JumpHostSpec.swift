/// One hop of a ProxyJump: `[user@]host[:port]`, or `[user@][v6-address]:port`.
public struct JumpHostSpec: Sendable, Hashable, CustomStringConvertible {
    public var user: String?
    public var host: String
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// Parses one hop; nil when it is not `[user@]host[:port]`.
    public init?(_ text: String) {
        var rest = Substring(text)
        if rest.hasPrefix("ssh://") { rest = rest.dropFirst("ssh://".count) }
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            if user?.isEmpty == true { return nil }
        }
        var portText: Substring?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = rest.firstIndex(of: ":") {
            guard rest.lastIndex(of: ":") == colon else { return nil }
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { return nil }
            port = number
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
    }

    /// A ProxyJump value: hops separated by commas, or `none`.
    public static func list(_ value: String) throws(SSHOptionProblem) -> [JumpHostSpec] {
        if value.lowercased() == "none" { return [] }
        var hops: [JumpHostSpec] = []
        for part in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let hop = JumpHostSpec(String(part)) else {
                throw SSHOptionProblem("ProxyJump '\(value)': '\(part)' is not [user@]host[:port]")
            }
            hops.append(hop)
        }
        return hops
    }

    public var description: String {
        let address = host.contains(":") ? "[\(host)]" : host
        return (user.map { "\($0)@" } ?? "") + address + (port.map { ":\($0)" } ?? "")
    }
}
