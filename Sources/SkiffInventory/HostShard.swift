/// `--shard K/N`: a stable 1/N of the hosts, chosen by name, so that N CI jobs (a GitLab `parallel:`, a
/// GitHub Actions matrix, Jenkins `parallel` stages) each deploy their own part of one fleet, with the same
/// split on every runner and no coordination. A host's shard is the FNV-1a hash of its name modulo N:
/// adding or removing a host never moves the others.
public struct HostShard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based, as people count shards (GitLab's CI_NODE_INDEX).
    public let index: Int
    public let count: Int

    /// Parses `K/N` with 1 ≤ K ≤ N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    public func owns(_ host: String) -> Bool {
        Int(Self.fnv1a(host) % UInt64(count)) == index - 1
    }

    /// The hosts of this shard, in the order given.
    public func select(_ hosts: [String]) -> [String] { hosts.filter(owns) }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
