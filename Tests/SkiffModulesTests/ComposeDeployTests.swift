import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// `skiff.compose_deploy` and the docker modules: which compose they run, and when they report `changed`.
@Suite("compose deploy")
struct ComposeDeployTests {
    static func plan(registry: Bool = true) throws -> ModulePlan {
        var values: OrderedDictionary<String, Value> = ["project": .string("app"), "version": .string("1.0.1")]
        if registry { values.merge(["registry_url": .string("r.example"), "username": .string("ci"), "password": .string("pw")]) { $1 } }
        return try ComposeDeployModule.plan(arguments(values), files: ["/ci/docker-compose.yml"], runDirectory: "/tmp/skiff-r1", environment: [:])
    }

    /// As docker-compose v1 prints it, with CRLF line ends.
    static let v1Up = "Creating network \"app_default\" with the default driver\nPulling app (r.example/app:1.0.1)...\nCreating app_app_1 ... \r\nCreating app_app_1 ... done\r\n"

    @Test func withoutTheComposePluginDockerComposeV1Runs() throws {
        var walker = ProgramWalker()
        walker.answers = [("docker compose version", ProgramWalker.result(1, stderr: "unknown shorthand flag: 'p' in -p\n"))]
        let (actions, outcome) = walker.walk(try Self.plan())
        let commands = actions.compactMap { if case .run(let line, _) = $0 { return line } else { return nil } }
        #expect(commands.contains { $0.hasSuffix("docker-compose -p app -f /tmp/skiff-r1/0-docker-compose.yml pull") }, "\(commands)")
        #expect(commands.contains { $0.hasSuffix("docker-compose -p app -f /tmp/skiff-r1/0-docker-compose.yml up --detach") }, "\(commands)")
        #expect(!commands.contains { $0.contains("docker compose -p") }, "\(commands)")
        #expect(outcome.result["compose"] == .string("docker-compose"))
    }

    /// The private DOCKER_CONFIG links to the user's cli-plugins directory (where a manual compose install lives).
    @Test func theUsersComposePluginStaysVisible() throws {
        let create = try #require(ProgramWalker().steps(try Self.plan()).first)
        guard case .shell(let text) = create.command else { Issue.record("\(create)"); return }
        #expect(text.contains(#"plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins""#), "\(text)")
        #expect(text.contains(#"ln -s "$plugins" /tmp/skiff-r1/docker/cli-plugins"#), "\(text)")
        let probe = ProgramWalker().steps(try Self.plan())[1]
        #expect(probe.environment["DOCKER_CONFIG"] == "/tmp/skiff-r1/docker", "compose is probed as it will run")
    }

    @Test func changedOnlyWhenComposeChangedAContainer() throws {
        let container = "app|c1|r.example/app:1.0.1|sha256:img|r.example/app@sha256:d1|{\"Status\":\"running\",\"Running\":true}\n"
        var unchanged = ProgramWalker()
        unchanged.answers = [("up --detach", ProgramWalker.result(0, stderr: "app_app_1 is up-to-date\n")), ("ps --all -q", ProgramWalker.result(0, stdout: container))]
        let same = unchanged.walk(try Self.plan()).outcome
        #expect(!same.failed && !same.changed, "\(same)")

        var v2Unchanged = ProgramWalker()
        v2Unchanged.answers = [("up --detach", ProgramWalker.result(0, stderr: " Container app-app-1  Running\n")), ("ps --all -q", ProgramWalker.result(0, stdout: container))]
        #expect(!v2Unchanged.walk(try Self.plan()).outcome.changed)

        var created = ProgramWalker()
        created.answers = [("docker compose version", ProgramWalker.result(1)), ("up --detach", ProgramWalker.result(0, stderr: Self.v1Up))]
        #expect(created.walk(try Self.plan()).outcome.changed)
    }

    @Test func dockerComposeV2RecognisesV1ProgressLines() throws {
        #expect(DockerComposeModule.reportsChange(ProgramWalker.result(0, stderr: Self.v1Up)))
        #expect(DockerComposeModule.reportsChange(ProgramWalker.result(0, stderr: "Recreating app_app_1 ... \nRecreating app_app_1 ... done\n")))
        #expect(!DockerComposeModule.reportsChange(ProgramWalker.result(0, stderr: "app_app_1 is up-to-date\n")))
        #expect(!DockerComposeModule.reportsChange(ProgramWalker.result(0, stderr: "Pulling app (r.example/app:1.0.1)...\n")))
    }

    @Test func loggingOutWhenNotLoggedInIsNoChange() throws {
        let plan = try DockerLoginModule.plan(arguments(["registry_url": .string("r.example"), "state": .string("absent")]), environment: [:])
        var notLoggedIn = ProgramWalker()
        notLoggedIn.answers = [("logout", ProgramWalker.result(0, stdout: "Removing login credentials for r.example\n"))]
        #expect(!notLoggedIn.walk(plan).outcome.changed)
        var loggedIn = ProgramWalker()
        loggedIn.answers = [("logout", ProgramWalker.result(0, stdout: "\(DockerLoginModule.loggedIn)\nRemoving login credentials for r.example\n"))]
        #expect(loggedIn.walk(plan).outcome.changed)
    }

    /// What runs after `up` is in the result: per container its image, digest and state; the pull and up
    /// output is the result's stderr (shown with -v, in JSON output and the audit record).
    @Test func theResultTellsWhatRuns() throws {
        var walker = ProgramWalker()
        walker.answers = [
            ("docker compose version", ProgramWalker.result(1)),
            ("up --detach", ProgramWalker.result(0, stderr: Self.v1Up)),
            ("ps --all -q", ProgramWalker.result(0, stdout: "app|c1|r.example/app:1.0.1|sha256:img|r.example/app@sha256:d1|{\"Status\":\"running\",\"Running\":true}\n")),
        ]
        let outcome = walker.walk(try Self.plan()).outcome
        #expect(outcome.result["images_after"] == .list([.string("r.example/app:1.0.1@sha256:d1")]))
        let container = try #require(outcome.result["containers_after"].flatMap { if case .list(let l) = $0 { l.first } else { nil } }?.dictValue)
        #expect(container["container"] == .string("c1") && container["state"] == .string("running") && container["digest"] == .string("sha256:d1"))
        #expect(outcome.result["stdout"] == .string("app: r.example/app:1.0.1@sha256:d1 running"))
        #expect(outcome.result["stderr"]?.text.contains("Creating app_app_1 ... done") == true)
        #expect(outcome.result["rc"] == .int(0))
    }

    @Test func aContainerThatIsNotRunningAfterUpFailsTheHost() throws {
        var walker = ProgramWalker()
        walker.answers = [("ps --all -q", ProgramWalker.result(0, stdout: "app|c1|r.example/app:1.0.1|sha256:img||{\"Status\":\"exited\"}\n"))]
        let (actions, outcome) = walker.walk(try Self.plan())
        #expect(outcome.failed && outcome.message == "not running after docker compose up: app is exited", "\(outcome)")
        #expect(actions.last == .run("rm -rf -- /tmp/skiff-r1", stdin: nil))
    }

    @Test func withWaitAnUnhealthyContainerFailsTheHost() throws {
        let unhealthy = "app|c1|r.example/app:1.0.1|sha256:img||{\"Status\":\"running\",\"Health\":{\"Status\":\"unhealthy\"}}\n"
        var walker = ProgramWalker()
        walker.answers = [("ps --all -q", ProgramWalker.result(0, stdout: unhealthy))]
        let waited = try ComposeDeployModule.plan(arguments(["project": .string("app"), "version": .string("1"), "wait": .bool(true)]),
                                                  files: ["/ci/c.yml"], runDirectory: "/tmp/skiff-r1", environment: [:])
        #expect(walker.walk(waited).outcome.message == "not running after docker compose up: app is running (unhealthy)")
        #expect(!walker.walk(try Self.plan(registry: false)).outcome.failed, "without wait, running is enough")
    }
}
