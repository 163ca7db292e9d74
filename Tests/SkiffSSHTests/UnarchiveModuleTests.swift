import Foundation
import SkiffTestSupport
import Testing

/// `unarchive` on a real host: a controller tarball and a zip already on the host.
@Suite("unarchive on a real host")
struct UnarchiveModuleTests {
    @Test func unpacksOnceAndChecksDest() async throws {
        let files = try ScratchDirectory("archives")
        let tree = files.file("tree")
        try FileManager.default.createDirectory(atPath: "\(tree)/sub", withIntermediateDirectories: true)
        try files.write("tree/a.txt", "alpha\n")
        try files.write("tree/sub/b.txt", "beta\n")
        try Shell.run(["tar", "-czf", files.file("site.tar.gz"), "-C", tree, "."])
        try Shell.run(["sh", "-c", "cd '\(tree)' && zip -q -r '\(files.file("site.zip"))' ."])
        let playbook = """
            - hosts: app
              gather_facts: false
              tasks:
                - file: {path: /tmp/site, state: directory}
                - file: {path: /tmp/zipped, state: directory}
                - name: From the controller
                  unarchive: {src: "\(files.file("site.tar.gz"))", dest: /tmp/site}
                - name: From the host
                  unarchive: {src: "\(files.file("site.zip"))", dest: /tmp/zipped, remote_src: true}
                - name: Creates
                  unarchive: {src: "\(files.file("site.tar.gz"))", dest: /tmp/site, creates: /tmp/site/a.txt}
                - name: No directory
                  unarchive: {src: "\(files.file("site.tar.gz"))", dest: /tmp/nodir}
                  ignore_errors: true
            """
        let (status, output, fleet) = try await RunnerFeatureTests.run(playbook)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(try String(contentsOfFile: host.pathInside("/tmp/site/sub/b.txt"), encoding: .utf8) == "beta\n")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/zipped/a.txt"), encoding: .utf8) == "alpha\n")
        #expect(output.contains("Destination '/tmp/nodir' is not a directory"), "\(output)")
        #expect(output.contains("ok=5     changed=4   unreachable=0   failed=0   skipped=1"), "\(output)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/tmp")).filter { $0.hasPrefix("skiff-") || $0.hasPrefix("tmp.") }
        #expect(leftovers.isEmpty, "the uploaded archive and the unpacked copy are removed: \(leftovers)")

        let rerun = { (extra: [String]) in
            try await ExecCommandTests.skiff(
                ["-i", fleet.inventory, fleet.files.file("playbook.yml"), "--private-key", fleet.key.privateKeyPath,
                 "--known-hosts", fleet.knownHosts, "--no-agent"] + extra, environment: ["NO_COLOR": "1"])
        }
        let again = try await rerun([])
        #expect(again.output.contains("ok=5     changed=0 "), "a second run is ok: \(again.output)")

        try "changed by hand\n".write(toFile: host.pathInside("/tmp/site/a.txt"), atomically: true, encoding: .utf8)
        let check = try await rerun(["--check"])
        #expect(check.output.contains("ok=5     changed=1 "), "\(check.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/site/a.txt"), encoding: .utf8) == "changed by hand\n", "--check writes nothing")
        let repair = try await rerun([])
        #expect(repair.output.contains("ok=5     changed=1 "), "\(repair.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/site/a.txt"), encoding: .utf8) == "alpha\n")
    }
}
