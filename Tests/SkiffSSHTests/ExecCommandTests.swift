import Foundation
import SkiffTestSupport
import Testing

/// `skiff exec` end to end: the built binary against real test hosts.
@Suite("skiff exec")
struct ExecCommandTests {
    /// The `skiff` binary built beside the test bundle.
    static var skiff: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("skiff").path
    }

    /// Runs skiff and returns its exit status and output.
    /// Where test runs write their audit records unless a test names its own log: one log for the whole
    /// test process, which many runs append to at once.
    static let sharedAuditLog = "/var/tmp/skiff-tests/audit-\(getpid()).jsonl"

    static func skiff(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        var withLog = environment
        if withLog["SKIFF_AUDIT_LOG"] == nil { withLog["SKIFF_AUDIT_LOG"] = sharedAuditLog }
        let environment = withLog
        return try await offPool {
            do {
                return (0, try Shell.run([skiff] + arguments, environment: environment))
            } catch let failure as Shell.Failure {
                return (failure.status, failure.output)
            }
        }
    }

    @Test func exitStatusTellsSuccessFailureAndUnreachable() async throws {
        let fixture = try await SSHFixture.start()
        let host = "root@127.0.0.1:\(fixture.host.port)"
        let common = ["--no-agent", "--private-key", fixture.key.privateKeyPath, "--known-hosts", fixture.knownHosts]

        let ok = try await Self.skiff(["exec"] + common + [host, "-a", "echo hello"])
        #expect(ok.status == 0)
        #expect(ok.output.contains("127.0.0.1:\(fixture.host.port) | CHANGED | rc=0 >>\nhello"))

        let failed = try await Self.skiff(["exec"] + common + [host, "-a", "exit 3"])
        #expect(failed.status == 2)
        #expect(failed.output.contains("FAILED | rc=3"))

        let closed = "root@127.0.0.1:\(try TestHost.freePort())"
        let unreachable = try await Self.skiff(["exec"] + common + [host, closed, "-a", "true"])
        #expect(unreachable.status == 4, "unreachable wins over success")
        #expect(unreachable.output.contains("UNREACHABLE!"))
        #expect(unreachable.output.contains("| CHANGED | rc=0"), "the reachable host still ran")
    }

    @Test func theKeyPassphraseComesFromTheEnvironmentAndIsNeverPrinted() async throws {
        let fixture = try await SSHFixture.start(key: .ed25519Encrypted)
        let host = "root@127.0.0.1:\(fixture.host.port)"
        let arguments = ["exec", "--no-agent", "--private-key", fixture.key.privateKeyPath, "--known-hosts", fixture.knownHosts, host, "-a", "true"]
        let ok = try await Self.skiff(arguments, environment: ["SKIFF_PRIVATE_KEY_PASSPHRASE": fixture.key.passphrase!])
        #expect(ok.status == 0)
        let wrong = try await Self.skiff(arguments, environment: ["SKIFF_PRIVATE_KEY_PASSPHRASE": "not-the-passphrase"])
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("wrong passphrase"))
        #expect(!wrong.output.contains("not-the-passphrase"))
    }
}

extension ExecCommandTests {
    /// `skiff exec -i INVENTORY PATTERN` and `skiff upload -i …`, as `ansible PATTERN -a …`: the hosts come
    /// from the inventory with their own ports and users; an unknown group is invalid input (exit 5).
    @Test func execAndUploadTakeAnInventoryAndHostPatterns() async throws {
        let fleet = try await DeployEndToEndTests.fleet(3)
        let common = ["-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"]
        let exec = try await Self.skiff(["exec"] + common + ["app:!app2", "-a", "hostname > /tmp/ran; echo done"])
        #expect(exec.status == 0, "\(exec.output)")
        #expect(exec.output.contains("app1 | CHANGED | rc=0 >>\ndone") && exec.output.contains("app3 | CHANGED | rc=0 >>\ndone"), "\(exec.output)")
        #expect(!exec.output.contains("app2"))
        let ran = fleet.hosts.map { FileManager.default.fileExists(atPath: $0.pathInside("/tmp/ran")) }
        #expect(ran == [true, false, true], "\(ran)")

        let local = try fleet.files.write("release.txt", "1.0.1\n")
        let upload = try await Self.skiff(["upload"] + common + [local, "app2", "--dest", "/tmp/release.txt", "--mode", "0640"])
        #expect(upload.status == 0, "\(upload.output)")
        #expect(try String(contentsOfFile: fleet.hosts[1].pathInside("/tmp/release.txt"), encoding: .utf8) == "1.0.1\n")

        let unknown = try await Self.skiff(["exec"] + common + ["nosuchgroup", "-a", "true"])
        #expect(unknown.status == 5, "\(unknown.output)")
    }
}

extension ExecCommandTests {
    /// Two CI jobs with --shard 1/2 and 2/2 deploy disjoint halves of the fleet that together are all of it.
    @Test func shardsSplitTheFleetBetweenRunners() async throws {
        let fleet = try await DeployEndToEndTests.fleet(4)
        let playbook = try fleet.files.write("touch.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n    - shell: touch /tmp/shard-{{ shard }}\n")
        for shard in ["1/2", "2/2"] {
            let run = try await Self.skiff(
                [playbook, "-i", fleet.inventory, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent",
                 "--shard", shard, "-e", "shard=\(shard.prefix(1))"], environment: ["NO_COLOR": "1"])
            #expect(run.status == 0, "\(run.output)")
        }
        let marks = fleet.hosts.map { host in ["1", "2"].filter { FileManager.default.fileExists(atPath: host.pathInside("/tmp/shard-\($0)")) } }
        #expect(marks.allSatisfy { $0.count == 1 }, "each host ran in exactly one shard: \(marks)")
        #expect(Set(marks.flatMap { $0 }) == ["1", "2"], "both shards had hosts: \(marks)")
        let bad = try await Self.skiff([playbook, "-i", fleet.inventory, "--shard", "3/2"])
        #expect(bad.status == 5, "\(bad.output)")
    }
}
