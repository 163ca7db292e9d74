import Foundation
import SkiffTestSupport
import Testing

extension AuditStoreTests {
    /// Three CI jobs (`--shard 1/3`, `2/3`, `3/3`, at once) deploy one fleet into one store: every host is
    /// deployed exactly once, by the run of the shard that owns it, and `audit where` shows the whole fleet.
    @Test func threeShardsDeployOneFleetIntoOneStore() async throws {
        let server = try PostgresServer.shared.get()
        let database = "shards_\(UInt32.random(in: 0 ... .max))"
        let url = try server.database(database)
        // app1..app6 fall two to each shard (FNV-1a of the name modulo 3).
        let fleet = try await DeployEndToEndTests.fleet(6)
        let playbook = "\(DeployEndToEndTests.repository)/playbooks/deploy-skiff.yml"
        let results = try await withThrowingTaskGroup(of: (String, Int32, String).self) { group in
            for shard in ["1/3", "2/3", "3/3"] {
                group.addTask {
                    let run = try await ExecCommandTests.skiff(
                        [playbook, "-i", fleet.inventory, "-e", "version=3.1.0", "--shard", shard, "--audit-url", url,
                         "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
                        environment: ["SKIFF_AUDIT_LOG": fleet.files.file("runner-\(shard.prefix(1))/audit.jsonl"), "SKIFF_AUDIT_KEY": Self.sharedKey,
                                      "REGISTRY_URL": "registry.example.com", "REGISTRY_USER": "ci", "REGISTRY_PASSWORD": "canary-shard-pw-5521",
                                      "NO_COLOR": "1"])
                    return (shard, run.status, run.output)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for (shard, status, output) in results { #expect(status == 0, "shard \(shard): \(output)") }

        // In the store: one `deployed` record per host, each host in exactly one run, three runs in all.
        let rows = try server.sql(database, "SELECT run, line FROM skiff_audit WHERE type = 'deployed' ORDER BY seq")
        var runsByHost: [String: [String]] = [:]
        for row in rows.split(separator: "\n") {
            let columns = row.split(separator: "|", maxSplits: 1).map(String.init)
            guard columns.count == 2, let host = Self.field("host", in: columns[1]) else { continue }
            runsByHost[host.trimmingCharacters(in: .whitespaces), default: []].append(columns[0].trimmingCharacters(in: .whitespaces))
        }
        let names = (1...6).map { "app\($0)" }
        #expect(runsByHost.keys.sorted() == names, "every host deployed: \(rows)")
        #expect(runsByHost.values.allSatisfy { $0.count == 1 }, "each host exactly once: \(runsByHost)")
        #expect(Set(runsByHost.values.flatMap { $0 }).count == 3, "by three runs, one per shard: \(runsByHost)")

        let verify = try await ExecCommandTests.skiff(["audit", "verify", "--audit-url", url], environment: ["SKIFF_AUDIT_KEY": Self.sharedKey])
        #expect(verify.status == 0 && verify.output.contains("intact"), "\(verify.output)")
        let place = try await ExecCommandTests.skiff(["audit", "where", "--json", "--audit-url", url])
        let placed = place.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(placed.count == 6, "\(place.output)")
        for name in names {
            #expect(placed.contains { $0.contains("\"host\": \"\(name)\"") && $0.contains("\"version\": \"3.1.0\"") }, "\(name): \(place.output)")
        }
        let table = try await ExecCommandTests.skiff(["audit", "where", "--audit-url", url], environment: ["NO_COLOR": "1"])
        for name in names { #expect(table.output.contains(name), "\(name): \(table.output)") }
    }

    /// The string value of `"name": "…"` in one JSON record line.
    static func field(_ name: String, in line: String) -> String? {
        guard let start = line.range(of: "\"\(name)\": \"") else { return nil }
        return line[start.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
    }
}
