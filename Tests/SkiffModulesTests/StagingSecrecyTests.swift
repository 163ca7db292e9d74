import OrderedCollections
import SkiffCore
import SkiffModules
import Testing

/// What modules send to a host keeps secrets off command lines (world-readable in /proc/PID/cmdline on a
/// multi-user host) and stages files where no other user can reach them.
@Suite("module staging and secrecy")
struct StagingSecrecyTests {
    let walker = ProgramWalker()
    static let canary = "tok-3f9c2e-canary"

    @Test func environmentValuesTravelOnStdinNeverOnTheCommandLine() throws {
        let environment: OrderedDictionary<String, String> = ["API_TOKEN": Self.canary, "VERSION": "1.0.1"]
        var plans = [
            try CommandModule.plan(.command, arguments(["_raw_params": .string("docker compose ps")]), environment: environment),
            try CommandModule.plan(.shell, arguments(["_raw_params": .string("docker compose up -d")]), environment: environment),
            try CommandModule.plan(.raw, arguments(["_raw_params": .string("uptime")]), environment: environment),
            try DockerComposeModule.plan(arguments(["project_src": .string("/srv/app"), "env": .dict(["API_TOKEN": .string(Self.canary)])]), environment: environment),
        ]
        plans.append(try ComposeDeployModule.plan(
            arguments(["project": .string("app"), "version": .string("1.0.1"), "env": .dict(["API_TOKEN": .string(Self.canary)])]),
            files: ["/ci/docker-compose.yml"], runDirectory: "/tmp/skiff-r1", environment: [:]))
        var checked = 0
        for plan in plans {
            for step in walker.steps(plan) where !step.environment.isEmpty {
                let wire = step.wire
                #expect(!wire.commandLine.contains(Self.canary), "\(wire.commandLine)")
                #expect(!wire.commandLine.contains("1.0.1"), "no value is on the command line: \(wire.commandLine)")
                #expect(wire.commandLine.hasPrefix(EnvironmentExports.prologue))
                let input = String(decoding: wire.stdin?.revealed ?? [], as: UTF8.self)
                #expect(input.hasPrefix(EnvironmentExports.line(step.environment) + "\n"), "the exports are stdin's first line")
                checked += 1
            }
        }
        #expect(checked >= 7, "every plan had steps with an environment: \(checked)")
    }

    @Test func stdinOfTheCommandFollowsTheExportsLine() throws {
        let plan = try ComposeDeployModule.plan(arguments([
            "project": .string("app"), "version": .string("1"), "registry_url": .string("r.example"),
            "username": .string("ci"), "password": .string("pw-canary"),
        ]), files: ["/ci/c.yml"], runDirectory: "/tmp/skiff-r1", environment: [:])
        let login = try #require(walker.steps(plan).first { $0.shownLine.contains("docker login") })
        let input = String(decoding: login.wire.stdin?.revealed ?? [], as: UTF8.self)
        #expect(input == "export DOCKER_CONFIG=/tmp/skiff-r1/docker\npw-canary")
        #expect(!login.wire.commandLine.contains("pw-canary"))
    }

    @Test func httpHeadersAreNeverOnTheCommandLine() throws {
        let headers: Value = .dict(["Authorization": .string("Bearer \(Self.canary)")])
        let uri = try URIModule.plan(arguments(["url": .string("http://127.0.0.1:1/health"), "headers": headers], "uri"))
        let getURL = try GetURLModule.plan(arguments(["url": .string("http://127.0.0.1:1/f"), "dest": .string("/srv/f"), "headers": headers], "get_url"))
        for plan in [uri, getURL] {
            let step = try #require(walker.steps(plan).first)
            #expect(!step.wire.commandLine.contains(Self.canary), "\(step.wire.commandLine)")
            #expect(step.wire.commandLine.contains("@/dev/fd/3"), "curl reads the headers from a pipe")
            #expect(step.environment["SKIFF_HTTP_HEADERS"] == "Authorization: Bearer \(Self.canary)")
        }
        #expect(throws: ModuleError.self) {
            try URIModule.plan(arguments(["url": .string("http://x"), "headers": .dict(["X": .string("a\r\nInjected: 1")])], "uri"))
        }
    }

    @Test func composeDeployMakesItsDirectoryExclusivelyAndLeavesAForeignOneAlone() throws {
        let plan = try ComposeDeployModule.plan(arguments([
            "project": .string("app"), "version": .string("1.0.1"), "registry_url": .string("r.example"),
            "username": .string("ci"), "password": .string("pw"),
        ]), files: ["/ci/docker-compose.yml"], runDirectory: "/tmp/skiff-r1", environment: [:])
        let create = try #require(walker.commands(plan).first)
        #expect(create.contains("mkdir -m 700 -- /tmp/skiff-r1 &&"), "no -p: an existing directory is refused: \(create)")
        var refused = ProgramWalker()
        refused.answers = [("mkdir", ProgramWalker.result(1, stderr: "mkdir: cannot create directory '/tmp/skiff-r1': File exists"))]
        let (actions, outcome) = refused.walk(plan)
        #expect(outcome.failed)
        #expect(outcome.message?.contains("File exists") == true)
        #expect(actions.count == 1, "no upload, no login, and no cleanup of a directory that is not this run's: \(actions)")
    }
}
