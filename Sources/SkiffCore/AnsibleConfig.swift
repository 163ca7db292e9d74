#if canImport(Glibc)
import Glibc
#endif

/// An `ansible.cfg`, found where ansible-playbook looks: `$ANSIBLE_CONFIG`, `./ansible.cfg` (unless the
/// current directory is world-writable, which Ansible refuses for safety), `~/.ansible.cfg`,
/// `/etc/ansible/ansible.cfg` — the first that exists. Read as Python's configparser reads it: `[section]`,
/// `key = value` or `key: value`, whole-line comments with `#` or `;`, inline comments after ` ;`.
public struct AnsibleConfig: Sendable, Equatable {
    /// The file read (nil: none found).
    public var path: String?
    public var sections: [String: [String: String]] = [:]

    public init(path: String? = nil, text: String = "") {
        self.path = path
        var section = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: " \t")
                continue
            }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = String(line[..<separator]).trimmingCharacters(in: " \t").lowercased()
            var value = Substring(line[line.index(after: separator)...])
            if let comment = value.firstRange(of: " ;") ?? value.firstRange(of: "\t;") { value = value[..<comment.lowerBound] }
            sections[section, default: [:]][key] = String(value).trimmingCharacters(in: " \t")
        }
    }

    /// `[defaults]` KEY.
    public subscript(defaults key: String) -> String? { sections["defaults"]?[key] }

    /// A path from the file, as Ansible reads path settings: `~` expanded, relative to the file's directory.
    public func path(defaults key: String) -> String? {
        guard let value = self[defaults: key], !value.isEmpty else { return nil }
        return resolve(value)
    }

    /// A comma-separated list of paths (`inventory = a,b`), each resolved as `path(defaults:)` does.
    /// An entry with no `/` that names no file may be a host list entry; it is kept as written.
    public func paths(defaults key: String) -> [String]? {
        guard let value = self[defaults: key], !value.isEmpty else { return nil }
        return value.split(separator: ",").map { resolve(String($0).trimmingCharacters(in: " \t")) }
    }

    /// A colon-separated list of paths (`roles_path = roles:/srv/shared-roles`), each resolved as
    /// `path(defaults:)` does: relative to the file's directory.
    public func searchPath(defaults key: String) -> [String]? {
        guard let value = self[defaults: key], !value.isEmpty else { return nil }
        return value.split(separator: ":").map { String($0).trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }.map(resolve)
    }

    private func resolve(_ value: String) -> String {
        if value.hasPrefix("~/") { return (Environment.value("HOME") ?? "") + value.dropFirst() }
        if value.hasPrefix("/") { return value }
        guard let path, let slash = path.lastIndex(of: "/") else { return value }
        return String(path[...slash]) + value
    }

    /// Finds and reads the file ansible-playbook would use.
    public static func load() -> AnsibleConfig {
        var candidates: [String] = []
        if let explicit = Environment.value("ANSIBLE_CONFIG"), !explicit.isEmpty {
            candidates.append(explicit.hasSuffix("/") ? explicit + "ansible.cfg" : explicit)
        }
        if !currentDirectoryIsWorldWritable { candidates.append("./ansible.cfg") }
        if let home = Environment.value("HOME") { candidates.append(home + "/.ansible.cfg") }
        candidates.append("/etc/ansible/ansible.cfg")
        for candidate in candidates {
            if let bytes = FileContents.read(candidate) { return AnsibleConfig(path: candidate, text: String(decoding: bytes, as: UTF8.self)) }
        }
        return AnsibleConfig()
    }

    private static var currentDirectoryIsWorldWritable: Bool {
        var info = stat()
        return stat(".", &info) == 0 && info.st_mode & S_IWOTH != 0
    }
}
