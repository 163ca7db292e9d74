import OrderedCollections
import SkiffCore

/// How to reach a host, from its variables: `ansible_host`, `ansible_port`, `ansible_user`,
/// `ansible_ssh_private_key_file`, `ansible_password` (secret), `ansible_become`, `ansible_become_user`,
/// `ansible_connection` (`ssh` or `local`), and OpenSSH options in `ansible_ssh_common_args` and
/// `ansible_ssh_extra_args`. The `skiff_*` spellings (`skiff_host`, `skiff_port`, …) win when both are set.
public struct ConnectionVariables: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case ssh
        case local
    }

    public var kind: Kind
    public var address: String
    /// `ansible_port`; nil when not set (ssh_config's `Port`, else 22).
    public var port: Int?
    public var user: String?
    public var privateKeyFile: String?
    public var password: Sensitive<String>?
    public var become: Bool
    public var becomeUser: String?
    /// `ansible_ssh_common_args` and `ansible_ssh_extra_args`: OpenSSH command-line options, as written.
    public var sshCommonArgs: String?
    public var sshExtraArgs: String?

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
            port = nil
        }
        user = text("user") ?? text("ssh_user")
        privateKeyFile = text("ssh_private_key_file") ?? text("private_key_file")
        password = (text("password") ?? text("ssh_pass")).map(Sensitive.init)
        become = flag("become")
        becomeUser = text("become_user")
        sshCommonArgs = text("ssh_common_args")
        sshExtraArgs = text("ssh_extra_args")
    }
}
