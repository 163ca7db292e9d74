import SkiffInventory
import Testing

@Suite("--shard K/N")
struct HostShardTests {
    @Test func everyHostIsInExactlyOneShardAndShardsAreEven() throws {
        let hosts = (1...1000).map { "web\($0).example.com" }
        let shards = (1...4).map { HostShard("\($0)/4")! }
        var seen: [String: Int] = [:]
        for shard in shards {
            let mine = shard.select(hosts)
            #expect((200...300).contains(mine.count), "\(shard): \(mine.count) of 1000")
            for host in mine { seen[host, default: 0] += 1 }
        }
        #expect(seen.count == 1000 && seen.values.allSatisfy { $0 == 1 })
    }

    @Test func theSplitIsFixedByNameAlone() throws {
        // The same on every runner, release after release: FNV-1a 64 of the name, modulo N.
        let shard = try #require(HostShard("1/3"))
        #expect(shard.select(["app1", "app2", "app3", "app4", "app5", "app6"]) == shard.select(["app6", "app5", "app4", "app3", "app2", "app1"]).reversed())
        #expect(HostShard("1/1")!.select(["a", "b"]) == ["a", "b"])
        let owners = ["app1", "app2", "app3"].map { name in (1...2).first { HostShard("\($0)/2")!.owns(name) }! }
        #expect(owners == [2, 1, 2], "the split of app1..app3 in 2 shards, as an independent FNV-1a (Python) computes it: \(owners)")
    }

    @Test func badShardsAreRefused() {
        for text in ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3", "-1/2", ""] { #expect(HostShard(text) == nil, "\(text)") }
    }
}
