import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// What `docker_compose_v2` and the v1 name `docker_compose` find out under `--check`, from scripted answers.
@Suite("compose check mode")
struct ComposeCheckTests {
    static func check(_ values: OrderedDictionary<String, Value>, script output: String) throws -> ModuleOutcome {
        var given: OrderedDictionary<String, Value> = ["project_src": .string("/srv/app")]
        given.merge(values) { $1 }
        let normalized = DockerComposeModule.arguments.normalized(given)
        var walker = ProgramWalker()
        walker.answers = [("config --hash", ProgramWalker.result(stdout: output))]
        let plan = try DockerComposeModule.plan(ModuleArguments(normalized, module: "docker_compose_v2", checkMode: true), ModuleContext())
        let walked = walker.walk(plan)
        #expect(walked.actions.count == 2, "the version probe and the one script: \(walked.actions)")
        return walked.outcome
    }

    static func statuses(_ outcome: ModuleOutcome) -> [String] {
        (outcome.result["actions"]?.listValue ?? []).compactMap { $0.dictValue.map { "\($0["status"]?.text ?? "") \($0["id"]?.text ?? "")" } }
    }

    static let upToDate = """
        want app h1
        want web h2
        have app h1 true sha256:i1 sha256:i1
        have web h2 true sha256:i2 sha256:i2
        """

    @Test func checkModeComparesConfigHashesStatesAndImages() throws {
        let same = try Self.check([:], script: Self.upToDate)
        #expect(!same.changed && Self.statuses(same).isEmpty)
        let missing = try Self.check([:], script: "want app h1\nwant web h2\nhave app h1 true sha256:i1 sha256:i1\n")
        #expect(missing.changed && Self.statuses(missing) == ["Creating web"])
        let outdated = try Self.check([:], script: Self.upToDate.replacingOccurrences(of: "have app h1", with: "have app h0"))
        #expect(Self.statuses(outdated) == ["Recreating app"])
        let moved = try Self.check([:], script: Self.upToDate.replacingOccurrences(of: "sha256:i2 sha256:i2", with: "sha256:i2 sha256:i3"))
        #expect(Self.statuses(moved) == ["Recreating web"], "the image reference names a newer image")
        let stopped = Self.upToDate.replacingOccurrences(of: "web h2 true", with: "web h2 false")
        #expect(Self.statuses(try Self.check([:], script: stopped)) == ["Starting web"])
        #expect(Self.statuses(try Self.check(["recreate": .string("never")], script: Self.upToDate.replacingOccurrences(of: "have app h1", with: "have app h0"))).isEmpty)
        #expect(Self.statuses(try Self.check(["recreate": .string("always")], script: Self.upToDate)) == ["Recreating app", "Recreating web"])
        #expect(Self.statuses(try Self.check(["services": .list([.string("app")])], script: stopped)).isEmpty, "web is not asked for")
        #expect(Self.statuses(try Self.check(["state": .string("stopped")], script: stopped)) == ["Stopping app"])
        #expect(Self.statuses(try Self.check(["state": .string("restarted")], script: Self.upToDate)) == ["Restarting app", "Restarting web"])
        #expect(Self.statuses(try Self.check(["state": .string("absent")], script: Self.upToDate)) == ["Removing app", "Removing web"])
        #expect(!(try Self.check(["state": .string("absent")], script: "want app h1\n")).changed, "nothing to remove")
    }

    @Test func theV1ModuleNameSupportsCheckModeThroughTheSameCheck() throws {
        #expect(DockerComposeV1Module.supportsCheckMode && DockerComposeModule.supportsCheckMode)
        let normalized = DockerComposeV1Module.arguments.normalized(["project_src": .string("/srv/app"), "project_name": .string("shop")])
        var walker = ProgramWalker()
        walker.answers = [("config --hash", ProgramWalker.result(stdout: "want app h1\n"))]
        let walked = walker.walk(try DockerComposeV1Module.plan(ModuleArguments(normalized, module: "docker_compose", checkMode: true), ModuleContext()))
        #expect(walked.outcome.changed)
        guard case .run(let script, _)? = walked.actions.last else { Issue.record("no script"); return }
        #expect(script.contains("docker compose -p shop config --hash") && script.hasPrefix("cd /srv/app && "), "\(script)")
        #expect(!walked.actions.contains { if case .run(let line, _) = $0 { return line.contains(" up ") } else { return false } }, "nothing is started")
    }
}
