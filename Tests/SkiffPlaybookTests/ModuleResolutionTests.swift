import Foundation
import SkiffCore
import SkiffModules
@testable import SkiffPlaybook
import Testing

@Suite("module names and arguments, checked when the playbook loads")
struct ModuleResolutionTests {
    /// Writes a one-play playbook with these tasks and loads it.
    static func load(_ tasks: String, tags: TagFilter = TagFilter()) throws -> Playbook {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-modres-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("play.yml").path
        try ("- hosts: all\n  tasks:\n" + tasks).write(toFile: path, atomically: true, encoding: .utf8)
        return try PlaybookLoader().load(path, tags: tags)
    }

    static func errors(_ tasks: String, tags: TagFilter = TagFilter()) -> [String] {
        do {
            _ = try load(tasks, tags: tags)
            return []
        } catch let error as PlaybookError {
            return error.diagnostics.map { "\($0.location?.line ?? 0): \($0.message)" + ($0.hint.map { " (\($0))" } ?? "") }
        } catch {
            return ["\(error)"]
        }
    }

    static let unknownModuleTagged = """
            - name: provision
              community.general.nosuchmodule: {name: x}
              tags: [provision]
            - name: deploy
              shell: echo deploy
              tags: [deploy]

        """

    @Test func anUnknownModuleInATaskTheTagsLeaveOutIsNoError() throws {
        let playbook = try Self.load(Self.unknownModuleTagged, tags: TagFilter(only: ["deploy"]))
        #expect(playbook.plays[0].allTasks.map(\.module) == ["community.general.nosuchmodule", "ansible.builtin.shell"])
        #expect(Self.errors(Self.unknownModuleTagged, tags: TagFilter(skip: ["provision"])) == [])
    }

    @Test func anUnknownModuleInATaskThatCanRunIsALocatedError() {
        let expected = ["4: 'community.general.nosuchmodule' is not a valid keyword for a task, nor a module Skiff knows"]
        #expect(Self.errors(Self.unknownModuleTagged) == expected)
        #expect(Self.errors(Self.unknownModuleTagged, tags: TagFilter(only: ["provision"])) == expected)
        #expect(Self.errors(Self.unknownModuleTagged, tags: TagFilter(skip: ["deploy"])) == expected)
    }

    @Test func didYouMeanOnlyForANameATypoAway() {
        #expect(Self.errors("    - ansible.builtin.shel: echo hi\n")
            == ["3: 'ansible.builtin.shel' is not a valid keyword for a task, nor a module Skiff knows (did you mean 'ansible.builtin.shell'?)"])
        #expect(Self.errors("    - lineinfiel: {path: /x, line: y}\n").first?.hasSuffix("(did you mean 'lineinfile'?)") == true)
        // Far from every known name: no hint (timezone is not a module Skiff has, homebrew is near none).
        #expect(Self.errors("    - community.general.timezone: {name: x}\n")
            == ["3: 'community.general.timezone' is not a valid keyword for a task, nor a module Skiff knows"])
        #expect(Self.errors("    - homebrew: {name: x}\n") == ["3: 'homebrew' is not a valid keyword for a task, nor a module Skiff knows"])
    }

    @Test func mutuallyExclusiveArgumentsAndChoicesAreLocatedErrors() {
        #expect(Self.errors("    - copy: {src: a, content: b, dest: /x}\n") == ["3: 'copy' takes only one of: src, content"])
        #expect(Self.errors("    - file: {path: /x, state: dirctory}\n")
            == ["3: argument 'state' of 'file' must be one of absent, directory, touch, file, link, not 'dirctory'"])
        #expect(Self.errors("    - file: {path: /x, state: \"{{ wanted }}\"}\n") == [], "a templated value is checked when it runs")
    }

    @Test func serviceArgumentsAreCheckedBeforeTheRun() {
        #expect(Self.errors("    - systemd: {state: started}\n") == ["3: 'systemd_service' needs the argument 'name' with 'state'"])
        #expect(Self.errors("    - service: {name: web, state: runing}\n")
            == ["3: argument 'state' of 'service' must be one of started, stopped, reloaded, restarted, not 'runing'"])
        #expect(Self.errors("    - systemd_service: {name: web}\n")
            == ["3: 'systemd_service' needs one of: state, enabled, masked, daemon_reload, daemon_reexec"])
    }

    @Test func everyNameOfAModuleResolvesToItsCanonicalName() throws {
        let playbook = try Self.load("""
                - shell: echo a
                - ansible.legacy.shell: echo b
                - ansible.builtin.shell: echo c
                - docker_login: {username: u, password: p}
                - community.docker.docker_login: {username: u, password: p}

            """)
        #expect(playbook.plays[0].allTasks.map(\.module) == [
            "ansible.builtin.shell", "ansible.builtin.shell", "ansible.builtin.shell",
            "community.docker.docker_login", "community.docker.docker_login",
        ])
    }
}
