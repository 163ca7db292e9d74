import Foundation
import SkiffTestSupport
import Testing

/// `-f`/`--forks` (or `$SKIFF_FORKS`, or ansible.cfg's `forks`): at least 1, as ansible-playbook says, and
/// any larger number is just "every host at once".
@Suite("--forks")
struct ForksOptionTests {
    static func files() throws -> (ScratchDirectory, inventory: String, playbook: String) {
        let files = try ScratchDirectory("forks")
        let inventory = try files.write("hosts.ini", "[app]\nlocal1 ansible_connection=local\nlocal2 ansible_connection=local\n")
        let playbook = try files.write("touch.yml", """
            - hosts: app
              gather_facts: false
              tasks:
                - command: touch \(files.file("ran-")){{ inventory_hostname }}
            """)
        return (files, inventory, playbook)
    }

    @Test(arguments: [["-f", "0"], ["--forks=-2"]])
    func lessThanOneIsInvalidInputBeforeAnyHost(_ option: [String]) async throws {
        let (files, inventory, playbook) = try Self.files()
        let (status, output) = try await ExecCommandTests.skiff(["-i", inventory, playbook, "--no-lock"] + option)
        #expect(status == 5 && output.contains("--forks") && output.contains("at least 1"), "\(status): \(output)")
        #expect(!FileManager.default.fileExists(atPath: files.file("ran-local1")), "no host was worked on")
    }

    @Test func zeroFromTheEnvironmentIsInvalidToo() async throws {
        let (_, inventory, playbook) = try Self.files()
        let (status, output) = try await ExecCommandTests.skiff(["-i", inventory, playbook, "--no-lock"], environment: ["SKIFF_FORKS": "0"])
        #expect(status == 5 && output.contains("at least 1"), "\(status): \(output)")
    }

    /// The commands that ask hosts (`status`, the audit commands with `--from-hosts`) refuse it too: they
    /// crashed on it (no host was asked, and a host's missing answer was unwrapped).
    @Test(arguments: [["status"], ["audit", "list", "--from-hosts"], ["audit", "where", "--from-hosts"]])
    func theCommandsThatAskHostsRefuseLessThanOne(_ command: [String]) async throws {
        let (_, inventory, _) = try Self.files()
        let (status, output) = try await ExecCommandTests.skiff(command + ["-i", inventory, "-f", "0"])
        #expect(status == 5 && output.contains("--forks must be at least 1"), "\(status): \(output)")
    }

    /// The largest number `-f` takes runs every host at once (it crashed adding the SSH workers' reserve
    /// to it, and closing the hosts' connections counted up to it).
    @Test func theLargestNumberRunsEveryHostAtOnce() async throws {
        let (files, inventory, playbook) = try Self.files()
        let (status, output) = try await ExecCommandTests.skiff(["-i", inventory, playbook, "--no-lock", "-f", String(Int.max)])
        #expect(status == 0, "\(status): \(output)")
        #expect(FileManager.default.fileExists(atPath: files.file("ran-local1")) && FileManager.default.fileExists(atPath: files.file("ran-local2")))
    }
}
