import Foundation

/// A network namespace joined to this machine's by one veth pair: the namespace side has `innerAddress`,
/// reachable from outside, and its own loopback (127.0.0.1 there), which nothing outside can reach.
/// Deleted (with the veth pair) when the test is done.
public final class NetworkNamespace: @unchecked Sendable {
    public let name: String
    public let innerAddress: String
    private var deleted = false

    public init() throws {
        let tag = Int.random(in: 0..<0xfff)
        name = "skiff\(String(tag, radix: 16))"
        let subnet = tag % 250 + 1
        innerAddress = "10.231.\(subnet).2"
        let outside = "sk\(String(tag, radix: 16))o"
        let inside = "sk\(String(tag, radix: 16))i"
        try Shell.run(["ip", "netns", "add", name])
        do {
            try Shell.run(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside])
            try Shell.run(["ip", "link", "set", inside, "netns", name])
            try Shell.run(["ip", "addr", "add", "10.231.\(subnet).1/30", "dev", outside])
            try Shell.run(["ip", "link", "set", outside, "up"])
            for command in [["ip", "addr", "add", "\(innerAddress)/30", "dev", inside], ["ip", "link", "set", inside, "up"], ["ip", "link", "set", "lo", "up"]] {
                try Shell.run(["ip", "netns", "exec", name] + command)
            }
        } catch {
            delete()
            throw error
        }
    }

    deinit { delete() }

    public func delete() {
        guard !deleted else { return }
        deleted = true
        _ = try? Shell.run(["ip", "netns", "del", name])
    }
}
