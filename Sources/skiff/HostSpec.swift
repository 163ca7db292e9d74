import SkiffSSH

/// A host named on the command line: `[user@]address[:port]` or `[user@][v6-address]:port`.
struct HostSpec {
    let user: String?
    let address: String
    let port: Int

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
            } else if after.hasPrefix(":"), let number = Int(after.dropFirst()) {
                port = number
            } else {
                return nil
            }
        } else if let colon = rest.lastIndex(of: ":"), rest.firstIndex(of: ":") == colon {
            guard let number = Int(rest[rest.index(after: colon)...]) else { return nil }
            address = String(rest[..<colon])
            port = number
        } else {
            address = String(rest)
            port = 22
        }
        guard !address.isEmpty, (1...65535).contains(port) else { return nil }
    }

    func target(defaultUser: String) -> SSHTarget {
        SSHTarget(name: port == 22 ? address : "\(address):\(port)", address: address, port: port, user: user ?? defaultUser)
    }
}
