import Foundation
import SkiffTestSupport
import Testing

/// `git` on a real host against a local bare repository over file://.
@Suite("git module on a real host")
struct GitModuleTests {
    /// A bare repository with `file` committed as v1 (tagged v1) then v2 on `main`; returns its path and a work tree.
    static func origin() throws -> (bare: String, work: String, files: ScratchDirectory) {
        let files = try ScratchDirectory("git")
        let bare = files.file("origin.git")
        let work = files.file("work")
        try Shell.run(["git", "init", "-q", "--bare", "--initial-branch=main", bare])
        try Shell.run(["git", "clone", "-q", bare, work])
        for version in ["v1", "v2"] {
            try commit(version, in: work)
            if version == "v1" { try Shell.run(["git", "-C", work, "tag", "v1"]) }
        }
        try Shell.run(["git", "-C", work, "push", "-q", "--tags", "origin", "main"])
        return (bare, work, files)
    }

    static func commit(_ content: String, in work: String) throws {
        try (content + "\n").write(toFile: "\(work)/file", atomically: true, encoding: .utf8)
        try Shell.run(["git", "-C", work, "add", "file"])
        try Shell.run(["git", "-C", work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", content])
    }

    static func head(_ work: String) throws -> String {
        try Shell.run(["git", "-C", work, "rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func cloneUpdateAndIdempotence() async throws {
        let (bare, work, files) = try Self.origin()
        defer { withExtendedLifetime(files) {} }
        let v2 = try Self.head(work)
        let playbook = """
            - hosts: app
              gather_facts: false
              tasks:
                - name: App
                  git: {repo: "file://\(bare)", dest: /tmp/app, version: main}
                  register: app
                - name: Pinned
                  git: {repo: "file://\(bare)", dest: /tmp/pinned, version: v1, depth: 1}
                - debug: {msg: "after={{ app.after }}"}
            """
        let (status, output, fleet) = try await RunnerFeatureTests.run(playbook)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(try String(contentsOfFile: host.pathInside("/tmp/app/file"), encoding: .utf8) == "v2\n")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/pinned/file"), encoding: .utf8) == "v1\n")
        #expect(output.contains("after=\(v2)"), "\(output)")
        #expect(output.contains("changed=2"), "\(output)")

        let rerun = { (extra: [String]) in
            try await ExecCommandTests.skiff(
                ["-i", fleet.inventory, fleet.files.file("playbook.yml"), "--private-key", fleet.key.privateKeyPath,
                 "--known-hosts", fleet.knownHosts, "--no-agent"] + extra, environment: ["NO_COLOR": "1"])
        }
        let again = try await rerun([])
        #expect(again.output.contains("ok=3     changed=0 "), "a second run is ok: \(again.output)")

        try Self.commit("v3", in: work)
        try Shell.run(["git", "-C", work, "push", "-q", "origin", "main"])
        let v3 = try Self.head(work)
        let check = try await rerun(["--check"])
        #expect(check.output.contains("ok=3     changed=1 "), "\(check.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/app/file"), encoding: .utf8) == "v2\n", "--check changes nothing")
        let update = try await rerun([])
        #expect(update.output.contains("after=\(v3)"), "\(update.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/app/file"), encoding: .utf8) == "v3\n")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/app/.git/HEAD"), encoding: .utf8) == "ref: refs/heads/main\n", "the branch stays checked out")

        try "edited\n".write(toFile: host.pathInside("/tmp/app/file"), atomically: true, encoding: .utf8)
        let dirty = try await rerun([])
        #expect(dirty.status == 2)
        #expect(dirty.output.contains("Local modifications exist in the destination: /tmp/app (force=no)."), "\(dirty.output)")
    }
}
