import Foundation
import SkiffCore
@testable import SkiffPlaybook
import Testing

/// Broken playbooks, task files, roles and vars files: every problem names the file, line and column.
@Suite("playbook load errors are located")
struct LoadErrorLocationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Files below a fresh directory; the playbook is `site.yml`.
        let files: [String: String]
        /// The file and line the error must name (any column).
        let file: String
        let line: Int
        let message: String
        var testDescription: String { name }
    }

    static let play = "- hosts: all\n  gather_facts: no\n"

    static let cases: [Case] = [
        Case(name: "duplicate key in a play", files: ["site.yml": "- hosts: all\n  gather_facts: no\n  hosts: web\n"],
             file: "site.yml", line: 1, message: "'hosts' written more than once"),
        Case(name: "tab indentation", files: ["site.yml": "- hosts: all\n\ttasks: []\n"],
             file: "site.yml", line: 2, message: "invalid YAML"),
        Case(name: "control character", files: ["site.yml": play + "  name: \"a\u{7}b\"\n"],
             file: "site.yml", line: 3, message: "invalid YAML"),
        Case(name: "bad indentation", files: ["site.yml": play + "  tasks:\n    - debug: msg=a\n   - debug: msg=b\n"],
             file: "site.yml", line: 5, message: "invalid YAML"),
        Case(name: "unknown play keyword", files: ["site.yml": play + "  taks: []\n"],
             file: "site.yml", line: 3, message: "not a valid keyword for a play"),
        Case(name: "vars of the wrong type", files: ["site.yml": play + "  vars: [1, 2]\n"],
             file: "site.yml", line: 3, message: "must be a mapping"),
        Case(name: "argument of the wrong type in an imported task file",
             files: ["site.yml": play + "  tasks:\n    - import_tasks: tasks.yml\n", "tasks.yml": "- debug:\n    msg: hi\n    verbosity: [1]\n"],
             file: "tasks.yml", line: 1, message: "must be a number"),
        Case(name: "duplicate key in an imported task file",
             files: ["site.yml": play + "  tasks:\n    - import_tasks: tasks.yml\n", "tasks.yml": "- name: a\n  debug: msg=x\n  name: b\n"],
             file: "tasks.yml", line: 1, message: "'name' written more than once"),
        Case(name: "control character in an included task file",
             files: ["site.yml": play + "  tasks:\n    - include_tasks: tasks.yml\n", "tasks.yml": "- debug: msg=x\n- debug: msg=\u{1}\n"],
             file: "tasks.yml", line: 2, message: "invalid YAML"),
        Case(name: "duplicate key in a role's tasks",
             files: ["site.yml": play + "  roles: [web]\n", "roles/web/tasks/main.yml": "- debug: msg=x\n  debug: msg=y\n"],
             file: "roles/web/tasks/main.yml", line: 1, message: "'debug' written more than once"),
        Case(name: "control character in a role's defaults",
             files: ["site.yml": play + "  roles: [web]\n", "roles/web/tasks/main.yml": "- debug: msg=x\n",
                     "roles/web/defaults/main.yml": "a: 1\nb: \"\u{8}\"\n"],
             file: "roles/web/defaults/main.yml", line: 2, message: "invalid YAML"),
        Case(name: "duplicate key in a vars file",
             files: ["site.yml": play + "  vars_files: [vars.yml]\n", "vars.yml": "a: 1\nb: 2\na: 3\n"],
             file: "vars.yml", line: 1, message: "'a' written more than once"),
        Case(name: "alias bomb", files: ["site.yml": play + "  vars:\n" + LoadErrorLocationTests.aliasBomb(indent: "    ")],
             file: "site.yml", line: 9, message: "YAML aliases expand to more than"),
        Case(name: "alias bomb as a key", files: ["site.yml": play + "  vars:\n" + LoadErrorLocationTests.aliasBomb(indent: "    ")
                                                 + "    j: {? *i : 1, ? *h : 2}\n"],
             file: "site.yml", line: 13, message: "alias or explicit key"),
        Case(name: "port that is not a number", files: ["site.yml": play + "  vars:\n    ansible_port: abc\n"],
             file: "site.yml", line: 4, message: "ansible_port: 'abc' is not a port number"),
        Case(name: "port out of range in a vars file",
             files: ["site.yml": play + "  vars_files: [vars.yml]\n", "vars.yml": "x: 1\nansible_port: 70000\n"],
             file: "vars.yml", line: 2, message: "70000 is not a port number"),
        Case(name: "unquoted template in a task's arguments",
             files: ["site.yml": play + "  tasks:\n    - debug:\n        msg: {{ x }}\n"],
             file: "site.yml", line: 5, message: "template block written without quotes"),
        Case(name: "unquoted template in a vars file",
             files: ["site.yml": play + "  vars_files: [vars.yml]\n", "vars.yml": "a: 1\nb: {{ a }}\n"],
             file: "vars.yml", line: 2, message: "template block written without quotes"),
        Case(name: "list as a key in a role's defaults",
             files: ["site.yml": play + "  roles: [web]\n", "roles/web/tasks/main.yml": "- debug: msg=x\n",
                     "roles/web/defaults/main.yml": "a: {[b]: 1}\n"],
             file: "roles/web/defaults/main.yml", line: 1, message: "template block written without quotes"),
        Case(name: "unknown meta action", files: ["site.yml": play + "  tasks:\n    - debug: msg=x\n    - meta: flush_everything\n"],
             file: "site.yml", line: 5, message: "unknown meta action 'flush_everything'"),
        Case(name: "unknown meta action in an imported task file (and one in a handler)",
             files: ["site.yml": play + "  tasks:\n    - import_tasks: tasks.yml\n  handlers:\n    - name: h\n      meta: end_hots\n",
                     "tasks.yml": "- meta: flush_handler\n"],
             file: "tasks.yml", line: 1, message: "unknown meta action 'flush_handler'"),
    ]

    @Test func everyUnknownMetaActionIsReportedWithAHint() throws {
        let directory = NSTemporaryDirectory() + "meta-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = Self.play + "  tasks:\n    - meta: flush_handlers\n    - meta: \"{{ what }}\"\n    - action: meta bogus\n  handlers:\n    - name: h\n      meta: end_hots\n"
        try text.write(toFile: "\(directory)/site.yml", atomically: true, encoding: .utf8)
        #expect(throws: PlaybookError.self) { try PlaybookLoader().load("\(directory)/site.yml") }
        do {
            _ = try PlaybookLoader().load("\(directory)/site.yml")
        } catch let error as PlaybookError {
            #expect(error.diagnostics.map(\.description) == [
                "\(directory)/site.yml:6:7: unknown meta action 'bogus' (Skiff knows clear_facts, clear_host_errors, end_batch, end_host, end_play, flush_handlers, noop, refresh_inventory, reset_connection)",
                "\(directory)/site.yml:9:13: unknown meta action 'end_hots' (did you mean 'end_host'?)",
            ], "\(error)")
        }
    }

    /// ansible-core 2.19.14 refuses `msg: {{ x }}` at load time: "YAML parsing failed: This may be an issue
    /// with missing quotes around a template block. Origin: site.yml:7:14" (the mapping's first brace).
    @Test func anUnquotedTemplateIsRefusedWhereAnsibleRefusesIt() throws {
        let directory = NSTemporaryDirectory() + "unquoted-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = "- hosts: all\n  gather_facts: false\n  vars:\n    x: 1\n  tasks:\n    - debug:\n        msg: {{ x }}\n"
        try text.write(toFile: "\(directory)/site.yml", atomically: true, encoding: .utf8)
        do {
            _ = try PlaybookLoader().load("\(directory)/site.yml")
            Issue.record("the playbook was accepted")
        } catch let error as PlaybookError {
            #expect(error.description.hasPrefix("\(directory)/site.yml:7:14: "), "\(error)")
            #expect(error.description.contains("raw: \"{{ some_var }}\""), "\(error)")
        }
    }

    /// Nine levels of nine aliases each: 387,420,489 strings once expanded.
    static func aliasBomb(indent: String) -> String {
        var lines = ["\(indent)a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        let names = Array("abcdefghi").map(String.init)
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(indent)\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: cases)
    func everyErrorNamesFileLineAndColumn(_ example: Case) throws {
        let directory = NSTemporaryDirectory() + "located-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (path, text) in example.files {
            let full = "\(directory)/\(path)"
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        do {
            _ = try PlaybookLoader().load("\(directory)/site.yml")
            Issue.record("the playbook was accepted")
        } catch let error as PlaybookError {
            let shown = error.description
            let place = "\(directory)/\(example.file):\(example.line):"
            let located = error.diagnostics.first { $0.message.contains(example.message) }
            #expect(located != nil, "\(shown)")
            #expect(located?.description.hasPrefix(place) == true, "\(shown)")
            #expect((located?.location?.column ?? 0) >= 1)
            #expect(error.diagnostics.allSatisfy { $0.location != nil }, "\(shown)")
        }
    }

    @Test func extraVarsFilesAreLocatedToo() throws {
        let file = NSTemporaryDirectory() + "extra-\(UUID().uuidString).yml"
        try "a: 1\na: \"\u{1}\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: PlaybookError.self) { try ExtraVariables.parse(["@\(file)"]) }
        do {
            _ = try ExtraVariables.parse(["@\(file)"])
        } catch let error as PlaybookError {
            #expect(error.description.hasPrefix("\(file):2:"), "\(error)")
        }
    }

    @Test func anExtraVarsAliasBombIsRefused() throws {
        let file = NSTemporaryDirectory() + "bomb-\(UUID().uuidString).yml"
        try Self.aliasBomb(indent: "").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            _ = try ExtraVariables.parse(["@\(file)"])
            Issue.record("the alias bomb was accepted")
        } catch let error as PlaybookError {
            #expect(error.description.hasPrefix("\(file):"), "\(error)")
            #expect(error.description.contains("YAML aliases expand to more than"))
        }
    }

    @Test func anInvalidPortInExtraVarsIsInvalidInput() {
        #expect(throws: PlaybookError.self) { try ExtraVariables.parse(["ansible_port=abc"]) }
        #expect(throws: PlaybookError.self) { try ExtraVariables.parse(["{\"ansible_port\": 0}"]) }
        #expect(throws: Never.self) { try ExtraVariables.parse(["ansible_port=2222", "skiff_port={{ base + 1 }}"]) }
    }

    @Test func aliasesWithinTheBoundStillWork() throws {
        let file = NSTemporaryDirectory() + "aliases-\(UUID().uuidString).yml"
        try """
            base: &base {image: app, replicas: 2}
            web: *base
            worker: [*base, *base]
            msg: "sure ? *base: [x]: y"
            """.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let vars = try ExtraVariables.parse(["@\(file)"])
        #expect(vars["web"] == vars["base"])
        #expect(vars["worker"] == .list([vars["base"]!, vars["base"]!]))
        #expect(vars["msg"] == .string("sure ? *base: [x]: y"), "quoted text that looks like a key is text")
    }
}
