import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One key line of an OpenSSH `known_hosts` file.
public struct KnownHostsEntry: Sendable, Equatable {
    public enum Marker: Sendable, Equatable {
        case none
        case revoked
        case certAuthority
    }

    public enum Hosts: Sendable, Equatable {
        /// Comma-separated patterns: names, `[host]:port`, wildcards `*`/`?`, negations `!pattern`.
        case patterns([String])
        /// `|1|salt|hash`: HMAC-SHA1 of the host name keyed with the salt.
        case hashed(salt: [UInt8], hash: [UInt8])
    }

    public let file: String
    public let line: Int
    public let marker: Marker
    public let hosts: Hosts
    public let key: HostKey

    /// Parses one line; `nil` for blank lines, comments and lines that are not a key entry
    /// (OpenSSH skips those too and carries on with the next line).
    public static func parse(_ text: Substring, file: String, line: Int) -> KnownHostsEntry? {
        var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
        guard let firstField = fields.first, !firstField.hasPrefix("#") else { return nil }
        var marker = Marker.none
        if firstField.hasPrefix("@") {
            switch firstField {
            case "@revoked": marker = .revoked
            case "@cert-authority": marker = .certAuthority
            default: return nil
            }
            fields = fields.dropFirst()
        }
        guard fields.count >= 3 else { return nil }
        let hostField = fields[fields.startIndex]
        let typeField = String(fields[fields.startIndex + 1])
        guard let blob = Data(base64Encoded: String(fields[fields.startIndex + 2])).map(Array.init),
            let key = HostKey(blob: blob), key.type == typeField
        else { return nil }
        guard let hosts = parseHosts(hostField) else { return nil }
        return KnownHostsEntry(file: file, line: line, marker: marker, hosts: hosts, key: key)
    }

    private static func parseHosts(_ field: Substring) -> Hosts? {
        if field.hasPrefix("|1|") {
            let parts = field.split(separator: "|", omittingEmptySubsequences: true)
            guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                let hash = Data(base64Encoded: String(parts[2]))
            else { return nil }
            return .hashed(salt: Array(salt), hash: Array(hash))
        }
        return .patterns(field.split(separator: ",").map { $0.lowercased() })
    }

    /// Whether this entry names `lookupName` (`host`, or `[host]:port` for a port other than 22).
    public func matches(_ lookupName: String) -> Bool {
        let name = lookupName.lowercased()
        switch hosts {
        case .hashed(let salt, let hash):
            let code = HMAC<Insecure.SHA1>.authenticationCode(
                for: Array(name.utf8), using: SymmetricKey(data: salt))
            return Array(code) == hash
        case .patterns(let patterns):
            var matched = false
            for pattern in patterns {
                if pattern.hasPrefix("!") {
                    if Wildcard.matches(String(pattern.dropFirst()), name) { return false }
                } else if Wildcard.matches(pattern, name) {
                    matched = true
                }
            }
            return matched
        }
    }

    /// The names this entry lists when it lists only plain names (no hash, wildcard or negation):
    /// such an entry matches exactly these.
    var plainNames: [String]? {
        guard case .patterns(let patterns) = hosts,
            !patterns.contains(where: { $0.contains(where: { "*?!".contains($0) }) })
        else { return nil }
        return patterns
    }

    /// The name OpenSSH looks a host up by: the bare name on port 22, `[name]:port` otherwise.
    public static func lookupName(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }
}

/// OpenSSH's host pattern wildcards: `*` any run of characters, `?` exactly one.
enum Wildcard {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0
        var ti = 0
        var star: Int?
        var resume = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                resume = ti
                pi += 1
            } else if let starIndex = star {
                pi = starIndex + 1
                resume += 1
                ti = resume
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
