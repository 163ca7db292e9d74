import OrderedCollections
import SkiffCore
import SkiffModules
import Testing

/// `command`/`shell` with `chdir`, `creates` and `removes`, as ansible-core's command module does them.
@Suite("command creates/removes/chdir")
struct CommandGuardTests {
    static func walker(says answer: String) -> ProgramWalker {
        var walker = ProgramWalker()
        walker.answers = [("sh -c", ProgramWalker.result(0, stdout: answer + "\n"))]
        return walker
    }

    @Test func theProbeGetsChdirAndThePatternsAsWordsNotShellText() throws {
        let plan = try CommandModule.plan(.shell, arguments([
            "_raw_params": .string("make"), "chdir": .string("/srv/my app"), "creates": .string("build/*.o; rm -rf /"),
        ]), environment: [:])
        let probe = try #require(Self.walker(says: "run").steps(plan).first)
        guard case .argv(let words) = probe.command else {
            Issue.record("the probe is an argv")
            return
        }
        #expect(Array(words.suffix(4)) == ["sh", "/srv/my app", "build/*.o; rm -rf /", ""])
        #expect(words.prefix(2) == ["sh", "-c"])
    }

    @Test func createsThatExistsIsOkWithAnsiblesMessage() throws {
        let plan = try CommandModule.plan(.command, arguments(["_raw_params": .string("make install"), "creates": .string("/usr/bin/app")]), environment: [:])
        let (actions, outcome) = Self.walker(says: "creates").walk(plan)
        #expect(actions.count == 1, "the command does not run")
        #expect(!outcome.changed && !outcome.failed && !outcome.skipped)
        #expect(outcome.message == "Did not run command since '/usr/bin/app' exists")
        #expect(outcome.result["stdout"] == .string("skipped, since /usr/bin/app exists"))
        #expect(outcome.result["rc"] == .int(0))
        let runs = Self.walker(says: "run").walk(plan)
        #expect(runs.actions.count == 2 && runs.outcome.changed, "absent: the command runs")
    }

    @Test func removesThatMatchesNothingIsOk() throws {
        let plan = try CommandModule.plan(.shell, arguments(["_raw_params": .string("rm /tmp/x"), "removes": .string("/tmp/x")]), environment: [:])
        let (actions, outcome) = Self.walker(says: "removes").walk(plan)
        #expect(actions.count == 1)
        #expect(!outcome.changed && !outcome.failed)
        #expect(outcome.message == "Did not run command since '/tmp/x' does not exist")
        #expect(outcome.result["stdout"] == .string("skipped, since /tmp/x does not exist"))
    }

    @Test func aMissingChdirFailsBeforeTheCommand() throws {
        let plan = try CommandModule.plan(.command, arguments(["_raw_params": .string("ls"), "chdir": .string("/nope")]), environment: [:])
        let (actions, outcome) = Self.walker(says: "chdir").walk(plan)
        #expect(actions.count == 1)
        #expect(outcome.failed)
        #expect(outcome.message == "Unable to change directory before execution.")
    }

    @Test func checkModeRunsNothing() throws {
        var check = arguments(["_raw_params": .string("make"), "creates": .string("/x")])
        check = ModuleArguments(check.values, module: "shell", checkMode: true)
        let would = Self.walker(says: "run").walk(try CommandModule.plan(.shell, check, environment: [:]))
        #expect(would.actions.count == 1, "only the probe")
        #expect(would.outcome.changed && would.outcome.message == "Command would have run if not in check mode")
        let wouldNot = Self.walker(says: "creates").walk(try CommandModule.plan(.shell, check, environment: [:]))
        #expect(!wouldNot.outcome.changed && wouldNot.outcome.message == "Would not run command since '/x' exists")
        let bare = ModuleArguments(["_raw_params": .string("make")], module: "shell", checkMode: true)
        let skipped = Self.walker(says: "run").walk(try CommandModule.plan(.shell, bare, environment: [:]))
        #expect(skipped.actions.isEmpty && skipped.outcome.skipped)
    }
}
