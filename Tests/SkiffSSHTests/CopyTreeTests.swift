import Foundation
import SkiffTestSupport
import Testing

/// `copy` of a directory, on a real host, with what ansible-core 2.19 made of the same playbook
/// (`tree` → `dest/tree/…`, `tree/` → `dest/…`, empty directories too, `directory_mode` on the made ones).
@Suite("copy of a directory on a real host")
struct CopyTreeTests {
    @Test func copiesTheTreeAsAnsibleDoesAndOnlyOnce() async throws {
        let fleet = try await DeployEndToEndTests.fleet(1)
        try FileManager.default.createDirectory(atPath: fleet.files.file("files/tree/sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: fleet.files.file("files/tree/empty"), withIntermediateDirectories: true)
        try fleet.files.write("files/tree/a.txt", "a\n")
        try fleet.files.write("files/tree/sub/b.txt", "b\n")
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - copy: {src: tree, dest: /tmp/out1}
                  register: r1
                - copy: {src: tree/, dest: /tmp/out2}
                - copy: {src: tree/, dest: /tmp/out3/, mode: "0600", directory_mode: "0750"}
                - debug: {msg: "{{ r1.dest }}"}
            """)
        let run = { (extra: [String]) in
            try await ExecCommandTests.skiff(
                ["-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"] + extra,
                environment: ["NO_COLOR": "1"])
        }
        let first = try await run([])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("ok=4     changed=3 "), "\(first.output)")
        #expect(first.output.contains("\"msg\": \"/tmp/out1/\""), "dest is reported with a slash, as Ansible does: \(first.output)")
        let host = fleet.hosts[0]
        func listing(_ root: String) throws -> String {
            try Shell.run(["sh", "-c", "cd '\(host.pathInside(root))' && find . -printf '%p %m\\n' | sort"])
        }
        #expect(try listing("/tmp/out1") == ". 755\n./tree 755\n./tree/a.txt 644\n./tree/empty 755\n./tree/sub 755\n./tree/sub/b.txt 644\n")
        #expect(try listing("/tmp/out2") == ". 755\n./a.txt 644\n./empty 755\n./sub 755\n./sub/b.txt 644\n")
        #expect(try listing("/tmp/out3") == ". 750\n./a.txt 600\n./empty 750\n./sub 750\n./sub/b.txt 600\n")

        let second = try await run([])
        #expect(second.output.contains("ok=4     changed=0 "), "a second run is ok: \(second.output)")

        try "edited\n".write(toFile: host.pathInside("/tmp/out2/sub/b.txt"), atomically: true, encoding: .utf8)
        let check = try await run(["--check"])
        #expect(check.output.contains("ok=4     changed=1 "), "\(check.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/out2/sub/b.txt"), encoding: .utf8) == "edited\n")
        let repair = try await run([])
        #expect(repair.output.contains("ok=4     changed=1 "), "\(repair.output)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/out2/sub/b.txt"), encoding: .utf8) == "b\n")
    }
}
