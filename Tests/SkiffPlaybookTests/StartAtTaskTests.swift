import SkiffCore
@testable import SkiffPlaybook
import Testing

@Suite("--start-at-task")
struct StartAtTaskTests {
    static func load() throws -> Playbook {
        try PlaybookLoader().load("\(PlaybookLoaderTests.fixtures)/valid-start-at.yml")
    }

    /// Each play's name with the tasks that would run, blocks flattened in run order (block, rescue, always).
    static func shape(_ playbooks: [Playbook]) -> [String] {
        playbooks.flatMap(\.plays).map { play in
            "\(play.name ?? ""): " + play.runOrder.flatMap(\.flattened).map { $0.displayName }.joined(separator: ", ")
        }
    }

    @Test func theRunBeginsAtTheTaskAndLeavesOutEarlierPlays() throws {
        let started = try StartAtTask("Start the stack").apply(to: [Self.load()])
        #expect(Self.shape(started) == [
            "Second play: Start the stack, Report the failure, Remove the compose file, Log out, Health check",
            "Third play: Announce",
        ])
        let play = started[0].plays[0]
        #expect(play.gatherFacts, "facts are still gathered")
        #expect(play.handlers.count == 1, "handlers stay")
    }

    @Test func wildcardsAndTheFirstMatchInRunOrder() throws {
        #expect(Self.shape(try StartAtTask("Copy *").apply(to: [Self.load()])).first == "First play: Copy the compose file")
        #expect(Self.shape(try StartAtTask("*compose*").apply(to: [Self.load()])).first == "First play: Copy the compose file")
        #expect(Self.shape(try StartAtTask("Log ?ut").apply(to: [Self.load()])) == [
            "Second play: Log out, Health check", "Third play: Announce",
        ], "a task in always: the block's earlier parts are left out")
    }

    @Test func tagsAndRescueDecideWhatCanBeTheStart() throws {
        #expect(throws: PlaybookError.self) { try StartAtTask("Report the failure").apply(to: [Self.load()]) }
        #expect(throws: PlaybookError.self, "a task --skip-tags leaves out") {
            try StartAtTask("Start the stack", tags: TagFilter(skip: ["up"])).apply(to: [Self.load()])
        }
        #expect(Self.shape(try StartAtTask("Start the stack", tags: TagFilter(only: ["up"])).apply(to: [Self.load()])).count == 2)
    }

    @Test func noMatchIsAnErrorNamingThePattern() throws {
        do {
            _ = try StartAtTask("Deploy everything").apply(to: [Self.load()])
            Issue.record("accepted a name no task has")
        } catch let error as PlaybookError {
            #expect(error.description.contains("--start-at-task 'Deploy everything': no task of"))
            #expect(error.description.contains("valid-start-at.yml"))
        }
    }

    @Test func laterPlaybooksRunWhole() throws {
        let playbook = try Self.load()
        let started = try StartAtTask("Announce").apply(to: [playbook, playbook])
        #expect(Self.shape(started) == ["Third play: Announce"] + Self.shape([playbook]))
    }
}
