import Foundation
import OrderedCollections
import SkiffCore
import SkiffInventory
import SkiffPlaybook
import SkiffRunner
import Testing

/// A variable no source can define is found before any host is contacted, located, with the `-e` hint;
/// every way a playbook defines or guards a variable keeps it quiet, and valid playbooks still load.
@Suite("variables with no source")
struct UndefinedVariablesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let crosscheck = "\(repository)/Tests/SkiffSSHTests/Fixtures/crosscheck"

    static func check(_ path: String, inventory: String = "\(repository)/inventory/hosts.ini", extra: OrderedDictionary<String, Value> = [:])
        throws -> [Diagnostic]
    {
        let playbook = try PlaybookLoader().load(path)
        let hosts = try InventoryLoader().load(sources: [inventory], playbookDirectory: (path as NSString).deletingLastPathComponent)
        return UndefinedVariables.check([playbook], inventory: hosts, extraVars: extra)
    }

    static func playbook(_ text: String, named name: String = "play.yml", files: [String: String] = [:]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("undefined-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/vars", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/templates", withIntermediateDirectories: true)
        for (name, content) in files { try content.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        return "\(directory)/\(name)"
    }

    @Test func theReadmeDeployWithoutVersionIsLocatedWithTheHint() throws {
        let problems = try Self.check("\(Self.repository)/playbooks/deploy.yml")
        #expect(problems.count == 1, "\(problems)")
        let problem = try #require(problems.first)
        #expect(problem.message.contains("'version'"), "\(problem)")
        #expect(problem.hint == "give it with -e version=…")
        let location = try #require(problem.location)
        #expect(location.file.hasSuffix("playbooks/deploy.yml"))
        // `VERSION: "{{ version }}"` of "Start the new version".
        let line = try String(contentsOfFile: location.file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)[location.line - 1]
        #expect(line.contains("VERSION: \"{{ version }}\""), "\(location): \(line)")
        #expect(line.dropFirst(location.column - 1).hasPrefix("\"{{ version }}\""), "the column points at the value: \(location)")
        #expect(try Self.check("\(Self.repository)/playbooks/deploy.yml", extra: ["version": .string("1.0.1")]).isEmpty)
        #expect(try Self.check("\(Self.repository)/playbooks/deploy-skiff.yml", extra: ["version": .string("1.0.1")]).isEmpty)
    }

    @Test func everySourceAndGuardKeepsItQuiet() throws {
        let path = try Self.playbook("""
            - hosts: app
              gather_facts: false
              vars: {from_play: 1}
              vars_files: [vars/main.yml]
              vars_prompt:
                - {name: prompted, default: x}
              pre_tasks:
                - set_fact: {from_set_fact: 1}
                - shell: echo
                  register: from_register
                - include_vars: included.yml
              tasks:
                - debug: msg="{{ from_play }} {{ from_file }} {{ prompted }} {{ from_set_fact }} {{ from_register.stdout }}"
                - debug: msg="{{ from_included }} {{ from_later_play }} {{ from_extra }} {{ group_var }} {{ host_var }}"
                - debug: msg="{{ item }} {{ idx }} {{ thing }}"
                  loop: [1]
                  loop_control: {loop_var: thing, index_var: idx}
                - debug: msg="{{ ansible_hostname }} {{ ansible_facts.os_family }} {{ inventory_hostname }} {{ groups.app }}"
                - debug: msg="{{ hostvars[inventory_hostname] }} {{ play_hosts }} {{ ansible_check_mode }} {{ omit }}"
                - debug: msg="{{ maybe | default('x') }} {{ perhaps | d('y') }} {{ optional if optional is defined else 1 }}"
                - debug: msg="{% set local = 1 %}{{ local }}{% for each in [1] %}{{ each }} {{ loop.index }}{% endfor %}"
                - debug: msg="{{ only_sometimes }}"
                  when: only_sometimes is defined
                - debug: msg="{{ unrelated_guard }}"
                  when: deploy_target == 'prod'
                - debug: {var: never_defined_but_debug_var}
                - block:
                    - debug: msg="{{ from_block }} {{ from_task }}"
                      vars: {from_task: 1}
                  vars: {from_block: 1}
                - include_tasks: item.yml
                  loop: [1]
                  loop_control: {loop_var: line}
            - hosts: app
              tasks:
                - set_fact: {from_later_play: 1}
            """, files: ["vars/main.yml": "from_file: 1\n", "vars/included.yml": "from_included: 1\n",
                         "item.yml": "- debug: msg=\"{{ line }}\"\n"])
        let inventory = try Self.playbook("[app]\nweb1 host_var=1 deploy_target=prod\n[app:vars]\ngroup_var=1\n", named: "hosts.ini")
        #expect(try Self.check(path, inventory: inventory, extra: ["from_extra": .int(1)]).isEmpty)
    }

    @Test func anIncludeVarsOfAComputedFileSkipsThePlay() throws {
        let path = try Self.playbook("""
            - hosts: app
              tasks:
                - include_vars: "{{ inventory_hostname }}.yml"
                - debug: msg="{{ maybe_from_the_file }}"
            """)
        #expect(try Self.check(path).isEmpty)
    }

    @Test func eachMissingNameIsReportedOnceWhereItIsRead() throws {
        let path = try Self.playbook("""
            - hosts: app
              tasks:
                - shell: echo {{ release }}
                - copy: {content: "{{ release }} {{ region }}", dest: /tmp/x}
                  when: inventory_hostname in groups['app']
                - debug: msg="{{ release }}"
                  changed_when: "{{ mistyped_flag }}"
            """)
        let problems = try Self.check(path)
        #expect(problems.map(\.message).filter { $0.contains("'release'") }.count == 1, "\(problems)")
        #expect(problems.contains { $0.message.contains("'mistyped_flag'") }, "\(problems)")
        #expect(!problems.contains { $0.message.contains("'region'") }, "a task with a when is checked only there: \(problems)")
        #expect(problems.first?.location?.line == 3, "\(problems)")
    }

    /// A `template` task's source file is read too: a name it reads that nothing defines is reported
    /// at its line in the file; what the file binds itself, what the play defines, what the module defines
    /// (`ansible_managed`, `template_host`) and guarded names are not.
    @Test func aTemplateFilesVariablesAreCheckedWhereTheFileReadsThem() throws {
        let path = try Self.playbook("""
            - hosts: app
              gather_facts: false
              vars: {service: web}
              tasks:
                - template: {src: app.env.j2, dest: /tmp/app.env}
                  loop: [1, 2]
                - template: {src: quiet.j2, dest: /tmp/quiet}
                - template: {src: "{{ service }}.j2", dest: /tmp/computed}
            """, files: [
                "templates/app.env.j2": "# {{ ansible_managed }} on {{ template_host }}\nSERVICE={{ service }}\n{% for port in [80, 443] %}PORT={{ port }} {{ item }}\n{% endfor %}\nTAG={{ release_tag }}\n",
                "quiet.j2": "{% set local = 1 %}{{ local }} {{ inventory_hostname }} {{ maybe | default('') }}{% if other is defined %}{{ other }}{% endif %}\n"
                    + "{% for i in range(3) %}{{ i }}{% endfor %} {{ lookup('env', 'HOME') }} {{ hostvars[inventory_hostname]['service'] }} {{ groups['app'] | length }}\n",
                "templates/web.j2": "{{ never_checked }}\n",
            ])
        let problems = try Self.check(path)
        #expect(problems.count == 1, "\(problems)")
        let problem = try #require(problems.first)
        #expect(problem.message.contains("'release_tag'"), "\(problem)")
        #expect(problem.hint == "give it with -e release_tag=…")
        let location = try #require(problem.location)
        #expect(location.file.hasSuffix("/templates/app.env.j2") && location.line == 5 && location.column == 8, "\(location)")
    }

    /// The cross-check playbooks (run by ansible-playbook and Skiff alike) and the repository's own
    /// playbooks are valid: none is refused.
    @Test func validPlaybooksStillLoad() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.crosscheck).filter { $0.hasSuffix(".yml") }.sorted()
        #expect(names.count >= 30)
        var checked = 0
        for name in names {
            let path = "\(Self.crosscheck)/\(name)"
            let arguments = (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").prefix { $0.hasPrefix("#") }
                .first { $0.hasPrefix("# args:") }.map { String($0.dropFirst("# args:".count)) } ?? ""
            var extra: OrderedDictionary<String, Value> = ["out": .string("/tmp/out")]
            let words = try ShellWords.split(arguments)
            for (index, word) in words.enumerated() where word == "-e" && index + 1 < words.count {
                extra.merge(try ExtraVariables.parse([words[index + 1]])) { $1 }
            }
            let problems: [Diagnostic]
            do {
                problems = try Self.check(path, inventory: "\(Self.crosscheck)/hosts.ini", extra: extra)
            } catch {
                continue  // A fixture that does not load is another test's business (its expected error).
            }
            #expect(problems.isEmpty, "\(name): \(problems)")
            checked += 1
        }
        #expect(checked >= names.count - 2, "almost every fixture loads and is checked: \(checked) of \(names.count)")
    }
}
