import Foundation
import SkiffCore
@testable import SkiffInventory
import Testing

/// Broken INI and YAML inventories, `group_vars/` and `host_vars/`: every error names the file and
/// line, and the column where one is known.
@Suite("inventory load errors are located")
struct InventoryErrorLocationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Files below a fresh directory; the inventory source is `source`.
        let files: [String: String]
        let source: String
        /// The file and line the error must name.
        let file: String
        let line: Int
        let message: String
        var testDescription: String { name }
    }

    static let yamlHosts = "all:\n  children:\n    web:\n      hosts:\n        w1:\n"

    static let cases: [Case] = [
        Case(name: "YAML duplicate host", files: ["hosts.yml": "all:\n  hosts:\n    a:\n    b:\n    a:\n"], source: "hosts.yml",
             file: "hosts.yml", line: 3, message: "'a' written more than once"),
        Case(name: "YAML control character", files: ["hosts.yml": "all:\n  hosts:\n    a\u{1}b:\n"], source: "hosts.yml",
             file: "hosts.yml", line: 3, message: "invalid YAML"),
        Case(name: "YAML tab", files: ["hosts.yml": "all:\n\thosts:\n"], source: "hosts.yml",
             file: "hosts.yml", line: 2, message: "invalid YAML"),
        Case(name: "YAML bad indentation", files: ["hosts.yml": "all:\n  hosts:\n    a:\n   b:\n"], source: "hosts.yml",
             file: "hosts.yml", line: 4, message: "invalid YAML"),
        Case(name: "YAML unknown key", files: ["hosts.yml": "all:\n  host:\n    a:\n"], source: "hosts.yml",
             file: "hosts.yml", line: 2, message: "unknown key 'host'"),
        Case(name: "YAML hosts of the wrong type", files: ["hosts.yml": "all:\n  hosts: [a, b]\n"], source: "hosts.yml",
             file: "hosts.yml", line: 2, message: "must be a mapping"),
        Case(name: "YAML port out of range", files: ["hosts.yml": "all:\n  hosts:\n    a:\n      ansible_port: 70000\n"], source: "hosts.yml",
             file: "hosts.yml", line: 4, message: "ansible_port: 70000 is not a port number"),
        Case(name: "YAML alias bomb", files: ["hosts.yml": "all:\n  vars:\n" + aliasBomb(indent: "    ")], source: "hosts.yml",
             file: "hosts.yml", line: 8, message: "YAML aliases expand to more than"),
        Case(name: "YAML host range too large", files: ["hosts.yml": "all:\n  hosts:\n    web[0:9999999]:\n"], source: "hosts.yml",
             file: "hosts.yml", line: 3, message: "more than 100000 hosts"),
        Case(name: "INI vars line without a value", files: ["hosts": "[web]\nw1\n[web:vars]\ncolor\n"], source: "hosts",
             file: "hosts", line: 4, message: "expected key=value"),
        Case(name: "INI port that is not a number", files: ["hosts": "[web]\nw1 ansible_port=abc\n"], source: "hosts",
             file: "hosts", line: 2, message: "ansible_port: 'abc' is not a port number"),
        Case(name: "INI host:port out of range", files: ["hosts": "[web]\nw1:70000\n"], source: "hosts",
             file: "hosts", line: 2, message: "70000 is not a port number"),
        Case(name: "INI group port out of range", files: ["hosts": "[web]\nw1\n[web:vars]\nansible_port=0\n"], source: "hosts",
             file: "hosts", line: 4, message: "0 is not a port number"),
        Case(name: "INI host range too large", files: ["hosts": "[web]\nweb[0:9999999]\n"], source: "hosts",
             file: "hosts", line: 2, message: "more than 100000 hosts"),
        Case(name: "INI ranges multiplying beyond the bound", files: ["hosts": "[web]\nw[0:999]-[0:999]\n"], source: "hosts",
             file: "hosts", line: 2, message: "more than 100000 hosts"),
        Case(name: "group_vars duplicate key", files: ["hosts.yml": yamlHosts, "group_vars/web.yml": "color: red\nsize: 1\ncolor: blue\n"],
             source: "hosts.yml", file: "group_vars/web.yml", line: 1, message: "'color' written more than once"),
        Case(name: "group_vars control character", files: ["hosts.yml": yamlHosts, "group_vars/all.yml": "a: 1\nb: \"\u{7f}\u{1b}\"\n"],
             source: "hosts.yml", file: "group_vars/all.yml", line: 2, message: "invalid YAML"),
        Case(name: "group_vars port that is not a number", files: ["hosts.yml": yamlHosts, "group_vars/web/ssh.yml": "ansible_port: ssh\n"],
             source: "hosts.yml", file: "group_vars/web/ssh.yml", line: 1, message: "ansible_port: 'ssh' is not a port number"),
        Case(name: "host_vars bad indentation", files: ["hosts.yml": yamlHosts, "host_vars/w1.yml": "a:\n  b: 1\n c: 2\n"],
             source: "hosts.yml", file: "host_vars/w1.yml", line: 3, message: "invalid YAML"),
        Case(name: "host_vars wrong type", files: ["hosts.yml": yamlHosts, "host_vars/w1.yml": "- a\n- b\n"],
             source: "hosts.yml", file: "host_vars/w1.yml", line: 1, message: "must hold a mapping"),
    ]

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
    func everyErrorNamesFileAndLine(_ example: Case) throws {
        let directory = NSTemporaryDirectory() + "located-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (path, text) in example.files {
            let full = "\(directory)/\(path)"
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        do {
            _ = try InventoryLoader().load(sources: ["\(directory)/\(example.source)"])
            Issue.record("the inventory was accepted")
        } catch let error as InventoryError {
            #expect(error.description.hasPrefix("\(directory)/\(example.file):\(example.line):"), "\(error)")
            #expect((error.location?.column ?? 0) >= 1)
            #expect(error.message.contains(example.message), "\(error)")
        }
    }
}
