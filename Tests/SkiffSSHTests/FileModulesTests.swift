import Foundation
import SkiffTestSupport
import Testing

/// lineinfile, get_url and `--diff` on a real host.
@Suite("file modules on a real host")
struct FileModulesTests {
    @Test func lineinfileGetURLAndDiff() async throws {
        let web = try ScratchDirectory("web")
        try web.write("app.tar", "release-bytes\n")
        let sha = try Shell.run(["sha256sum", web.file("app.tar")]).prefix(64)
        let server = try StaticHTTPServer(directory: web.path)
        defer { server.stop() }
        let port = server.port
        let playbook = """
            - hosts: app
              gather_facts: false
              tasks:
                - name: Config file
                  copy:
                    content: "port=80\\nname=app\\n"
                    dest: /tmp/app.conf
                - name: Port
                  lineinfile:
                    path: /tmp/app.conf
                    regexp: "^port="
                    line: "port=8080"
                - name: Extra line
                  lineinfile:
                    path: /tmp/app.conf
                    line: "debug=false"
                - wait_for:
                    port: \(port)
                    timeout: 20
                - name: Download
                  get_url:
                    url: http://127.0.0.1:\(port)/app.tar
                    dest: /tmp/app.tar
                    checksum: "sha256:\(sha)"
                    mode: "0600"
                - name: Wrong checksum
                  get_url:
                    url: http://127.0.0.1:\(port)/app.tar
                    dest: /tmp/other.tar
                    checksum: "sha256:\(String(repeating: "0", count: 64))"
                  ignore_errors: true
                - name: Download with the login's umask
                  get_url:
                    url: http://127.0.0.1:\(port)/app.tar
                    dest: /tmp/umask.tar
            """
        let (status, output, fleet) = try await RunnerFeatureTests.run(playbook, extra: ["--diff"])
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(try String(contentsOfFile: host.pathInside("/tmp/app.conf"), encoding: .utf8) == "port=8080\nname=app\ndebug=false\n")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/app.tar"), encoding: .utf8) == "release-bytes\n")
        let mode = try FileManager.default.attributesOfItem(atPath: host.pathInside("/tmp/app.tar"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let umaskMode = try FileManager.default.attributesOfItem(atPath: host.pathInside("/tmp/umask.tar"))[.posixPermissions] as? Int
        #expect(umaskMode == 0o644, "no mode: the file gets the login shell's umask (022), as a plain download would")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/tmp")).filter { $0.contains("skiff-") }
        #expect(leftovers.isEmpty, "no download is left in a temporary file: \(leftovers)")
        #expect(!FileManager.default.fileExists(atPath: host.pathInside("/tmp/other.tar")), "a mismatching download is not kept")
        #expect(output.contains("did not match"), "\(output)")
        #expect(output.contains("--- before: /tmp/app.conf\n+++ after: /tmp/app.conf\n@@ -1,2 +1,2 @@\n-port=80\n+port=8080\n name=app\n"), "\(output)")
        #expect(output.contains("@@ -0,0 +1,2 @@\n+port=80\n+name=app\n"), "a new file's diff")

        // The second run downloads nothing (copy resets the file, so the two lines change it again).
        let again = try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, fleet.files.file("playbook.yml"), "--private-key", fleet.key.privateKeyPath,
             "--known-hosts", fleet.knownHosts, "--no-agent"], environment: ["NO_COLOR": "1"])
        #expect(again.status == 0)
        #expect(again.output.contains("TASK [Download] *"), "\(again.output)")
        #expect(again.output.contains("*\nok: [app1]\n\nTASK [Wrong checksum]"), "the file with the right checksum is kept: \(again.output)")
        #expect(again.output.contains("app1                       : ok=7     changed=3"), "\(again.output)")
    }
}

extension FileModulesTests {
    @Test func fileStateChangesShowUnderDiff() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: Directory
                  file:
                    path: /tmp/data
                    state: directory
                    mode: "0750"
                - name: Again
                  file:
                    path: /tmp/data
                    state: directory
                    mode: "0750"
                - name: Broken
                  file:
                    path: /tmp/nothing-here
                    state: file
                  ignore_errors: true
            """, extra: ["-D"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("--- before: /tmp/data\n+++ after: /tmp/data\n@@ -1,1 +1,4 @@\n-state: absent\n+type: directory\n+mode: 750\n+owner: root\n+group: root\n"), "\(output)")
        #expect(output.components(separatedBy: "--- before: /tmp/data").count == 2, "an unchanged path shows no diff")
        #expect(output.contains("file /tmp/nothing-here does not exist"), "failures still report: \(output)")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: fleet.hosts[0].pathInside("/tmp/data"), isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}

extension FileModulesTests {
    /// Unquoted YAML modes are numbers, used as the mode itself, as ansible-core does: measured with
    /// ansible-core 2.19.14 (local connection) on this playbook, the files got 640, 640, 1204 and 750.
    @Test func unquotedYAMLModesAreTheModeItselfAsInAnsible() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - file:
                    path: /tmp/f2
                    state: touch
                    mode: 0640
                - copy:
                    content: "x"
                    dest: /tmp/f3
                    mode: 0640
                - copy:
                    content: "x"
                    dest: /tmp/f4
                    mode: 644
                - file:
                    path: /tmp/f5
                    state: touch
                    mode: 0750
            """)
        #expect(status == 0, "\(output)")
        let modes = try ["f2", "f3", "f4", "f5"].map { name in
            try FileManager.default.attributesOfItem(atPath: fleet.hosts[0].pathInside("/tmp/\(name)"))[.posixPermissions] as? Int
        }
        #expect(modes == [0o640, 0o640, 0o1204, 0o750], "\(modes.map { String($0 ?? -1, radix: 8) })")
    }
}
