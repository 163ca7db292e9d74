import Foundation
import SkiffTestSupport
import Testing

/// `skiff status` on the real Docker engine: what runs on the host against what the audit log recorded.
@Suite("status: drift between the audit log and the host", .enabled(if: DockerEngine.available, "run scripts/docker-engine first"))
struct StatusDriftTests {
    static func status(_ target: RealDockerDeployTests.Target, _ extra: [String] = []) async throws -> (status: Int32, output: String) {
        try await ExecCommandTests.skiff(
            ["status", "-i", target.inventory, "--private-key", target.key.privateKeyPath, "--known-hosts", target.knownHosts, "--no-agent",
             "--audit-log", target.files.file("audit.jsonl")] + extra,
            environment: ["NO_COLOR": "1"])
    }

    /// A deploy through Skiff matches; someone's `docker-compose up` with another tag on the host is drift
    /// (exit 2), and a stopped container too.
    @Test func aHandMadeComposeUpWithAnotherTagIsDrift() async throws {
        let target = try await RealDockerDeployTests.target(.v1Only, "status")
        defer { target.engine.removeProject(target.project) }
        // Both tags pulled by deploys through Skiff, so the hand-made `up` below finds its image locally.
        for version in ["1.0.1", "1.0.0"] {
            let run = try await RealDockerDeployTests.deploy(target, "deploy-skiff.yml", version: version)
            #expect(run.status == 0, "\(run.output)")
        }
        let digest = try target.engine.digest(of: "1.0.0")
        let matching = try await Self.status(target)
        #expect(matching.status == 0, "\(matching.output)")
        #expect(matching.output.contains("app1") && matching.output.contains(target.project) && matching.output.contains(" ok"), "\(matching.output)")
        #expect(matching.output.contains("@sha256:\(digest.dropFirst(7).prefix(12)) running"), "\(matching.output)")
        // `audit where` names the image by its digest too.
        let where_ = try await AuditEndToEndTests.audit(["where"], log: target.files.file("audit.jsonl"))
        #expect(where_.output.contains("IMAGE") && where_.output.contains("\(target.engine.repository):1.0.0@sha256:\(digest.dropFirst(7).prefix(12))"),
                "\(where_.output)")

        // By hand, on the host's engine: the other tag.
        _ = try Shell.run(["docker-compose", "-p", target.project, "-f", target.files.file("docker-compose.yml"), "up", "-d"],
                          environment: ["VERSION": "1.0.1"])
        #expect(try target.running()?.image == "\(target.engine.repository):1.0.1")
        let drifted = try await Self.status(target, ["--json"])
        #expect(drifted.status == 2, "\(drifted.output)")
        #expect(drifted.output.contains("\"status\": \"drift\"") && drifted.output.contains("other images run"), "\(drifted.output)")
        #expect(drifted.output.contains("\"version\": \"1.0.0\""), "the recorded version: \(drifted.output)")

        // A container that stopped is drift too.
        _ = try await RealDockerDeployTests.deploy(target, "deploy-skiff.yml", version: "1.0.0")
        if let id = try target.running()?.id { _ = try Shell.run([DockerEngine.docker, "stop", "-t", "1", id]) }
        let stopped = try await Self.status(target)
        #expect(stopped.status == 2 && stopped.output.contains("drift: app exited"), "\(stopped.output)")
    }
}
