import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// The docker commands `docker_container` runs.
@Suite("docker_container commands")
struct DockerContainerArgvTests {
    @Test func envValuesReachDockerOnStdinNeverOnTheCommandLine() throws {
        var walker = ProgramWalker()
        walker.answers = [("container inspect", ProgramWalker.result(1, stderr: "Error: No such container: app\n")),
                          ("image inspect", ProgramWalker.result(0, stdout: #"[{"Id": "sha256:1", "Config": {"Env": []}}]"#))]
        let values: OrderedDictionary<String, Value> = [
            "name": .string("app"), "image": .string("r.example/app:1.0.1"), "env": .dict(["DB_PASSWORD": .string("pw-2718")]),
            "ports": .list([.string("127.0.0.1:8080:80")]), "command": .string("sleep 'one hour'"),
        ]
        let plan = try DockerContainerModule.plan(arguments(DockerContainerModule.arguments.normalized(values)), ModuleContext())
        let (actions, outcome) = walker.walk(plan)
        #expect(outcome.changed && !outcome.failed)
        let create = actions.first { if case .run(let line, _) = $0 { line.contains("docker create") } else { false } }
        #expect(create == .run("docker create --name app --env-file /dev/stdin --publish 127.0.0.1:8080:80 r.example/app:1.0.1 sleep 'one hour'",
                               stdin: "DB_PASSWORD=pw-2718\n"),
                "\(actions)")
        #expect(!actions.contains { if case .run(let line, _) = $0 { line.contains("pw-2718") } else { false } })
    }

    @Test func aLineBreakInAnEnvValueIsRefused() {
        let values: OrderedDictionary<String, Value> = ["name": .string("app"), "image": .string("a"), "env": .dict(["A": .string("x\nB=y")])]
        #expect(throws: ModuleError.self) { try DockerContainerModule.plan(arguments(values), ModuleContext()) }
    }
}
