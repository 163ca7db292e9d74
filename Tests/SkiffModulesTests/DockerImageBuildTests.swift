import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// `docker_image` with `source: build`: the `docker build` it runs, and only when the image is missing.
@Suite("docker_image build")
struct DockerImageBuildTests {
    static func image(_ values: OrderedDictionary<String, Value>, check: Bool = false) throws -> ModulePlan {
        let normalized = DockerImageModule.arguments.normalized(values)
        return try DockerImageModule.plan(ModuleArguments(normalized, module: "docker_image", checkMode: check), ModuleContext())
    }

    static let build: OrderedDictionary<String, Value> = [
        "name": .string("registry.example.com/app"), "tag": .string("2.0"), "source": .string("build"),
        "build": .dict([
            "path": .string("/srv/app src"), "dockerfile": .string("docker/Dockerfile.prod"),
            "args": .dict(["VERSION": .string("2.0"), "NPM_TOKEN": .string("npm-secret-77")]),
            "pull": .bool(true), "nocache": .string("yes"), "target": .string("runtime"), "labels": .dict(["tier": .string("web")]),
        ]),
    ]

    @Test func aMissingImageIsBuiltWithItsArgumentsOutOfTheCommandLine() throws {
        var walker = ProgramWalker()
        walker.answers = [("inspect", ProgramWalker.result(1, stderr: "Error: No such image: registry.example.com/app:2.0"))]
        let steps = walker.steps(try Self.image(Self.build))
        let build = try #require(steps.first { $0.commandLine.contains("docker build") })
        #expect(build.commandLine == "cd '/srv/app src' && docker build --tag registry.example.com/app:2.0 --file docker/Dockerfile.prod "
            + "--build-arg VERSION --build-arg NPM_TOKEN --label tier=web --pull --no-cache --target runtime .")
        #expect(build.environment == ["VERSION": "2.0", "NPM_TOKEN": "npm-secret-77"], "the values travel in the environment")
        #expect(!build.wire.commandLine.contains("npm-secret-77"), "never on the command line")
    }

    @Test func anImageThatIsThereIsNotBuiltUnlessForced() throws {
        var walker = ProgramWalker()
        walker.answers = [("inspect", ProgramWalker.result(stdout: #"[{"Id": "sha256:aaa"}]"#))]
        let kept = walker.walk(try Self.image(Self.build))
        #expect(!kept.actions.contains { if case .run(let line, _) = $0 { return line.contains("docker build") } else { return false } })
        #expect(kept.outcome.changed == false && kept.outcome.failed == false)

        var forced = Self.build
        forced["force_source"] = .bool(true)
        let rebuilt = walker.walk(try Self.image(forced))
        #expect(rebuilt.actions.contains { if case .run(let line, _) = $0 { return line.contains("docker build") } else { return false } })
        #expect(rebuilt.outcome.changed == false, "the same image id: nothing changed")

        var missing = ProgramWalker()
        missing.answers = [("inspect", ProgramWalker.result(1, stderr: "Error: No such image"))]
        let checked = missing.walk(try Self.image(Self.build, check: true))
        #expect(checked.outcome.changed && checked.actions.count == 1, "--check only asks: \(checked.actions)")
        #expect(throws: ModuleError.self) { try Self.image(["name": .string("app"), "source": .string("build"), "build": .dict([:])]) }
    }
}
