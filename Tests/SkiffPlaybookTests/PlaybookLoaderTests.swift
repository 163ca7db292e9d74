import Foundation
import SkiffCore
@testable import SkiffPlaybook
import Testing

@Suite("playbooks read and checked before anything runs")
struct PlaybookLoaderTests {
    static let fixtures = Bundle.module.resourcePath! + "/Fixtures"

    static var invalidPlaybooks: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []).filter { $0.hasPrefix("invalid-") }.sorted()
    }

    @Test(arguments: invalidPlaybooks)
    func invalidPlaybooksReportEveryProblemWithFileLineAndColumn(name: String) throws {
        let expected = try String(contentsOfFile: "\(Self.fixtures)/expected/\(name).errors", encoding: .utf8)
        do {
            _ = try PlaybookLoader().load("\(Self.fixtures)/\(name)")
            Issue.record("\(name) was accepted")
        } catch let error as PlaybookError {
            let shown = error.description.replacingOccurrences(of: Self.fixtures + "/", with: "FIXTURES/")
            #expect(shown + "\n" == expected)
            #expect(error.diagnostics.allSatisfy { ($0.location?.line ?? 0) > 0 })
        }
    }

    @Test func theReferenceDeployPlaybookParses() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../playbooks/deploy.yml").path
        let playbook = try PlaybookLoader().load(path)
        let play = try #require(playbook.plays.first)
        #expect(play.hosts == "app")
        #expect(!play.gatherFacts)
        #expect(play.allTasks.map(\.module) == [
            "community.docker.docker_login", "ansible.builtin.copy", "ansible.builtin.shell", "ansible.builtin.file",
            "community.docker.docker_login",
        ])
        let login = play.allTasks[0]
        #expect(login.keywords["no_log"] == .bool(true))
        #expect(login.arguments["password"] == .string("{{ registry_password }}"))
        guard case .block(let block) = play.tasks[0] else {
            Issue.record("the deploy is a block")
            return
        }
        #expect(block.always.count == 2)
    }

    @Test func everyWayOfWritingATask() throws {
        let playbook = try PlaybookLoader().load("\(Self.fixtures)/valid-forms.yml")
        #expect(playbook.plays.count == 2, "import_playbook is inlined")
        #expect(playbook.plays[0].allTasks.first?.module == "ansible.builtin.set_fact")
        #expect(playbook.plays[0].allTasks.first?.arguments["greeting"] == .string("hello"))
        let play = playbook.plays[1]
        #expect(play.hosts == "web:&staging")
        #expect(!play.gatherFacts, "gather_facts: no")
        #expect(play.keywords["serial"] == .int(2))
        let tasks = play.allTasks
        #expect(tasks[0].arguments == ["chdir": .string("/srv/app"), "_raw_params": .string("docker compose up -d")])
        #expect(tasks[1].arguments["_raw_params"] == .string("echo {{ version }}"))
        #expect(tasks[1].displayName == "command")
        #expect(tasks[2].arguments == ["src": .string("app.conf"), "dest": .string("/etc/app.conf"), "mode": .string("0644")])
        #expect(tasks[3].module == "ansible.builtin.file")
        #expect(tasks[3].arguments["state"] == .string("absent"))
        #expect(tasks[4].keywords["delegate_to"] == .string("localhost"))
        #expect(tasks[4].arguments["_raw_params"] == .string("echo local"))
        #expect(tasks[5].arguments["chdir"] == .string("/srv"))
        #expect(tasks[6].name == "Inside")
        #expect(tasks[6].tags == ["blocky"], "a block's tags apply to its tasks")
        #expect(tasks[6].keywords["when"] == .bool(true), "and so does its condition")
        #expect(tasks[8].arguments["var"] == .string("version"))
        #expect(tasks[9].name == "Included task")
        #expect(Set(tasks[9].tags) == ["imported", "included"])
        #expect(play.handlers.count == 1)
    }

    @Test func keyValueArgumentsKeepQuotesAndTemplatesWhole() {
        let (pairs, free) = KeyValueArguments.parse(#"src=a.conf dest="/etc/my app.conf" msg='{{ a }} b' {{ x | default('y z') }}"#)
        #expect(pairs["src"] == .string("a.conf"))
        #expect(pairs["dest"] == .string("/etc/my app.conf"))
        #expect(pairs["msg"] == .string("{{ a }} b"))
        #expect(free == "{{ x | default('y z') }}")
    }

    @Test func extraVarsInEveryForm() throws {
        let file = NSTemporaryDirectory() + "extra-\(UUID().uuidString).yml"
        try "from_file: yes\nversion: '2.0'\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let vars = try ExtraVariables.parse(["version=1.0 build=7", #"{"json": [1, 2]}"#, "yaml_key: value", "@\(file)"])
        #expect(vars["version"] == .string("2.0"), "later -e wins")
        #expect(vars["build"] == .string("7"))
        #expect(vars["json"] == .list([.int(1), .int(2)]))
        #expect(vars["yaml_key"] == .string("value"))
        #expect(vars["from_file"] == .bool(true))
        #expect(throws: PlaybookError.self) { try ExtraVariables.parse(["not a pair"]) }
    }

    @Test func suggestionsFindTheClosestName() {
        #expect(Suggestion.closest(to: "shel", in: ["shell", "command", "copy"]) == "shell")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["shell", "command"]) == nil)
    }
}

@Suite("roles in the standard layout")
struct RoleTests {
    @Test func rolesDependenciesVariablesHandlersAndImportRole() throws {
        let playbook = try PlaybookLoader().load("\(PlaybookLoaderTests.fixtures)/valid-roles.yml")
        let play = try #require(playbook.plays.first)
        #expect(play.roles.map(\.name) == ["base", "app"], "meta dependencies come first")
        let app = play.roles[1]
        #expect(app.defaults["app_port"] == .int(8080))
        #expect(app.vars["app_user"] == .string("app"))
        #expect(app.vars["app_version"] == .string("1.2.3"), "vars given where the role is used")
        #expect(app.handlers.flatMap(\.flattened).map(\.displayName) == ["app : restart app"])
        #expect(play.listedTasks.map(\.displayName) == [
            "Before the roles", "base : Base packages present", "app : Render the config", "app : Start",
            "After the roles", "base : Base packages present", "app : Pull the new images",
        ])
        let render = play.listedTasks[2]
        #expect(render.role?.name == "app")
        #expect(render.role?.path.hasSuffix("roles/app") == true)
        #expect(render.tags == ["app"], "tags on the role entry apply to its tasks")
        #expect(play.includedRoles.map(\.name) == ["base", "app"])
        #expect(play.varsFromFiles["registry"] == .string("registry.example.com"))
        #expect(play.varsFiles.count == 2, "the templated name is kept for the run")
    }
}

@Suite("tag selection")
struct TagFilterTests {
    @Test func onlySkipAlwaysNeverAndAll() throws {
        let play = try #require(try PlaybookLoader().load("\(PlaybookLoaderTests.fixtures)/valid-forms.yml").plays.last)
        let scripts = try #require(play.allTasks.first { $0.name == "args block" })  // tags: deploy (play), scripts
        let plain = try #require(play.allTasks.first { $0.name == "k=v arguments" })  // tags: deploy (play)
        #expect(TagFilter().selects(plain, in: play))
        #expect(TagFilter(only: ["scripts"]).selects(scripts, in: play))
        #expect(!TagFilter(only: ["scripts"]).selects(plain, in: play))
        #expect(TagFilter(only: ["all"]).selects(plain, in: play))
        #expect(!TagFilter(skip: ["scripts"]).selects(scripts, in: play))
        #expect(!TagFilter(skip: ["deploy"]).selects(plain, in: play), "play tags count")
    }
}

@Suite("include_tasks with vars and loops")
struct IncludeLoopTests {
    @Test func aLoopedOrVarsIncludeIsABlockTheRunnerRunsPerItem() throws {
        let play = try #require(try PlaybookLoader().load("\(PlaybookLoaderTests.fixtures)/valid-include-loop.yml").plays.first)
        guard case .block(let looped) = play.tasks[0], case .block(let withVars) = play.tasks[1], case .task(let imported) = play.tasks[2] else {
            Issue.record("expected two blocks and a task: \(play.tasks)")
            return
        }
        #expect(looped.name == "Each service")
        #expect(looped.keywords["loop"] == .list([.string("web"), .string("worker")]))
        #expect(looped.keywords["loop_control"] == .dict(["loop_var": .string("service")]))
        #expect(looped.keywords["vars"] == .dict(["registry": .string("registry.example.com")]))
        #expect(looped.block.flatMap(\.flattened).map(\.displayName) == ["Pull {{ service }}"])
        #expect(looped.block.flatMap(\.flattened).first?.tags == ["pull"], "the include's tags reach its tasks")
        #expect(withVars.keywords["vars"] == .dict(["greeting": .string("hello")]), "vars on include_tasks are kept, not dropped")
        #expect(withVars.name == "ansible.builtin.include_tasks tasks/common.yml")
        #expect(imported.displayName == "Included task", "a plain import stays inline")
    }
}
