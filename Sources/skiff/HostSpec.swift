import SkiffCore

/// A host named on the command line: `[user@]address[:port]` or `[user@][v6-address]:port`.
struct HostSpec {
    let user: String?
    let address: String
    let port: Int
    /// Whether the text named the port (else ssh_config's `Port`, or 22, applies).
    let portGiven: Bool

    init?(_ text: String) {
        var rest = Substring(text)
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        } else {
            user = nil
        }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            address = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.isEmpty {
                port = 22
                portGiven = false
            } else if after.hasPrefix(":"), let number = Int(after.dropFirst()) {
                port = number
                portGiven = true
            } else {
                return nil
            }
        } else if let colon = rest.lastIndex(of: ":"), rest.firstIndex(of: ":") == colon {
            guard let number = Int(rest[rest.index(after: colon)...]) else { return nil }
            address = String(rest[..<colon])
            port = number
            portGiven = true
        } else {
            address = String(rest)
            port = 22
            portGiven = false
        }
        guard !address.isEmpty, (1...65535).contains(port) else { return nil }
    }

    /// The name the host is shown by: the text without the user.
    var name: String { port == 22 ? address : "\(address):\(port)" }

    /// The connection variables the text amounts to, as an inventory would give them.
    var variables: [String: Value] {
        var variables: [String: Value] = ["ansible_host": .string(address), "ansible_connection": .string("ssh")]
        if portGiven { variables["ansible_port"] = .int(port) }
        if let user { variables["ansible_user"] = .string(user) }
        return variables
    }
}
