import Foundation
import SkiffPlaybook
import SkiffRunner
import Testing

/// Which plays can read facts: any mention of a fact Skiff gathers, or of a way to reach variables by a
/// computed name, in the play's tasks, vars or template files, or in the inventory and extra vars.
@Suite("facts only when a play reads them")
struct FactUsageTests {
    static func play(_ tasks: String, files: [String: String] = [:]) throws -> Play {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/templates", withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        let path = "\(directory)/play.yml"
        try "- hosts: all\n  tasks:\n\(tasks)".write(toFile: path, atomically: true, encoding: .utf8)
        return try #require(try PlaybookLoader().load(path).plays.first)
    }

    @Test func aPlayThatNamesNoFactDoesNotNeedThem() throws {
        let deploy = try Self.play("""
                - shell: docker compose up -d
                  environment: {VERSION: "{{ version }}"}
                  when: version is defined and inventory_hostname in groups['app']
                - debug: msg="{{ ansible_check_mode }} {{ ansible_play_hosts }}"
            """)
        #expect(!FactUsage.needed(by: deploy, alsoIn: []))
    }

    @Test(arguments: [
        #"    - debug: msg="{{ ansible_hostname }}""#,
        "    - debug: msg=x\n      when: ansible_distribution == 'Debian'",
        #"    - debug: msg="{{ ansible_facts['os_family'] }}""#,
        #"    - debug: msg="{{ hostvars[groups['db'][0]].ansible_default_ipv4.address }}""#,
        #"    - debug: msg="{{ lookup('vars', 'ansible_' ~ name) }}""#,
        "    - debug: var=ansible_env.HOME",
        "    - include_vars: more.yml",
    ])
    func aMentionAnywhereCounts(task: String) throws {
        #expect(FactUsage.needed(by: try Self.play(task), alsoIn: []))
    }

    @Test func templateFilesAreReadAndAnUnknownOneCounts() throws {
        let plain = try Self.play("    - template: {src: app.conf.j2, dest: /etc/app.conf}", files: ["templates/app.conf.j2": "port={{ port }}\n"])
        #expect(!FactUsage.needed(by: plain, alsoIn: []))
        let facts = try Self.play("    - template: {src: app.conf.j2, dest: /etc/app.conf}", files: ["templates/app.conf.j2": "host={{ ansible_fqdn }}\n"])
        #expect(FactUsage.needed(by: facts, alsoIn: []))
        let computed = try Self.play(#"    - template: {src: "{{ name }}.j2", dest: /etc/app.conf}"#)
        #expect(FactUsage.needed(by: computed, alsoIn: []))
    }

    @Test func theInventoryAndExtraVarsCount() throws {
        let deploy = try Self.play("    - shell: echo {{ public_address }}")
        #expect(FactUsage.needed(by: deploy, alsoIn: ["{{ ansible_default_ipv4.address }}"]))
    }
}
