import OrderedCollections
import SkiffCore

/// How to reach a host, from its variables: `ansible_host`, `ansible_port`, `ansible_user`,
/// `ansible_ssh_private_key_file`, `ansible_password` (secret), `ansible_become`, `ansible_become_user`,
/// `ansible_connection` (`ssh` or `local`), and a ProxyJump in `ansible_ssh_common_args`
/// (`-o ProxyJump=…` or `-J …`). The `skiff_*` spellings (`skiff_host`, `skiff_port`, …) win when both are set.
public struct ConnectionVariables: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case ssh
        case local
    }

    public var kind: Kind
    public var address: String
    public var port: Int
    public var user: String?
    public var privateKeyFile: String?
    public var password: Sensitive<String>?
    public var become: Bool
    public var becomeUser: String?
    /// `[user@]host[:port]` of a jump host, when one is configured.
    public var proxyJump: String?

    /// Reads the connection variables of `host` from its (already templated) variables.
    public init(host: String, variables: OrderedDictionary<String, Value>) throws {
        func text(_ name: String) -> String? {
            let value = variables["skiff_\(name)"] ?? variables["ansible_\(name)"]
            guard let value, value != .null else { return nil }
            if case .string(let string) = value { return string }
            if case .int(let number) = value { return String(number) }
            return value.json
        }
        func flag(_ name: String) -> Bool {
            switch variables["skiff_\(name)"] ?? variables["ansible_\(name)"] {
            case .bool(let value)?: return value
            case .string(let value)?: return ["yes", "true", "1", "on"].contains(value.lowercased())
            case .int(let value)?: return value != 0
            default: return false
            }
        }
        let connection = text("connection") ?? (host == "localhost" ? "local" : "ssh")
        switch connection {
        case "ssh", "paramiko", "smart": kind = .ssh
        case "local": kind = .local
        default:
            throw InventoryError("host '\(host)': ansible_connection '\(connection)' is not supported (use ssh or local)")
        }
        address = text("host") ?? host
        if let portText = text("port") {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw InventoryError("host '\(host)': ansible_port '\(portText)' is not a port number")
            }
            port = number
        } else {
            port = 22
        }
        user = text("user") ?? text("ssh_user")
        privateKeyFile = text("ssh_private_key_file") ?? text("private_key_file")
        password = (text("password") ?? text("ssh_pass")).map(Sensitive.init)
        become = flag("become")
        becomeUser = text("become_user")
        proxyJump = Self.proxyJump(in: text("ssh_common_args") ?? "")
    }

    /// The jump host in OpenSSH options: `-o ProxyJump=bastion`, `-oProxyJump=bastion`, `-J bastion`.
    static func proxyJump(in arguments: String) -> String? {
        let words = arguments.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).trimmingCharacters(in: "'\"") }
        for (index, word) in words.enumerated() {
            if word == "-J", index + 1 < words.count { return words[index + 1] }
            if word.hasPrefix("-J") && word.count > 2 { return String(word.dropFirst(2)) }
            let option = word.hasPrefix("-o") ? String(word.dropFirst(2)) : (index > 0 && words[index - 1] == "-o" ? word : "")
            if option.lowercased().hasPrefix("proxyjump=") {
                return String(option.dropFirst("proxyjump=".count)).trimmingCharacters(in: "'\"")
            }
        }
        return nil
    }
}
