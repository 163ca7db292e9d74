import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The keys a set of OpenSSH `known_hosts` files vouch for, checked the way OpenSSH checks them:
/// plain and hashed names, `[host]:port`, wildcards and negations, `@revoked` lines, and every line
/// read (a line that cannot be parsed is skipped, not the end of the file).
public struct KnownHosts: Sendable {
    public let files: [String]
    public let entries: [KnownHostsEntry]
    /// Entries by each plain name they list (lowercased), so that looking a host up does not test
    /// every line of a fleet-sized file: each host of a run looks itself up.
    private let byName: [String: [Int]]
    /// Entries that need testing one by one: hashed names, wildcards, negations.
    private let patterned: [Int]
    private let revoked: [KnownHostsEntry]

    public init(files: [String], entries: [KnownHostsEntry]) {
        self.files = files
        self.entries = entries
        var byName: [String: [Int]] = [:]
        var patterned: [Int] = []
        for (index, entry) in entries.enumerated() {
            if let names = entry.plainNames {
                for name in Set(names) { byName[name, default: []].append(index) }
            } else {
                patterned.append(index)
            }
        }
        self.byName = byName
        self.patterned = patterned
        self.revoked = entries.filter { $0.marker == .revoked }
    }

    /// Reads the files; a missing file holds no keys.
    public static func load(files: [String]) throws -> KnownHosts {
        var entries: [KnownHostsEntry] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                if FileManager.default.fileExists(atPath: file) {
                    throw SSHError(.localFile, host: "known_hosts", "cannot read \(file)")
                }
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let entry = KnownHostsEntry.parse(line, file: file, line: index + 1) {
                    entries.append(entry)
                }
            }
        }
        return KnownHosts(files: files, entries: entries)
    }

    /// What known_hosts says about `key` presented by `host` on `port`.
    public enum Verdict: Sendable, Equatable {
        case trusted(KnownHostsEntry)
        case revoked(KnownHostsEntry)
        /// known_hosts holds other keys for this host; these are the ones it expected.
        case changed(expected: [KnownHostsEntry])
        case unknown
    }

    public func verify(host: String, port: Int, key: HostKey) -> Verdict {
        if let revoked = revoked.first(where: { $0.key == key }) {
            return .revoked(revoked)
        }
        let forHost = keys(for: host, port: port)
        if let match = forHost.first(where: { $0.key == key }) {
            return .trusted(match)
        }
        return forHost.isEmpty ? .unknown : .changed(expected: forHost)
    }

    /// The plain (non-revoked, non-CA) entries that name this host.
    public func keys(for host: String, port: Int) -> [KnownHostsEntry] {
        let name = KnownHostsEntry.lookupName(host: host, port: port)
        let candidates = (byName[name.lowercased()] ?? []) + patterned.filter { entries[$0].matches(name) }
        return candidates.sorted().map { entries[$0] }.filter { $0.marker == .none }
    }

    /// Appends `key` for `host` to the first file (creating it and its directory, mode 0600/0700).
    /// Appends are serialized within this process and each is one `write` on an `O_APPEND` descriptor.
    public static func append(host: String, port: Int, key: HostKey, to file: String) throws {
        try appendLock.withLock { _ in
            let directory = String(file[..<(file.lastIndex(of: "/") ?? file.startIndex)])
            if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
                try? FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let line = "\(KnownHostsEntry.lookupName(host: host, port: port)) \(key.type) \(key.base64)\n"
            let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw SSHError(.localFile, host: host, "cannot write \(file): \(SocketConnector.errnoText())")
            }
            defer { close(fd) }
            let bytes = Array(line.utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else {
                throw SSHError(.localFile, host: host, "cannot write \(file): \(SocketConnector.errnoText())")
            }
        }
    }

    private static let appendLock = Mutex(())
}
