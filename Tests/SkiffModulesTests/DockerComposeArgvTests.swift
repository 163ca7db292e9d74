import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// The compose commands `docker_compose_v2` and the v1 module name `docker_compose` run.
@Suite("docker_compose and docker_compose_v2 commands")
struct DockerComposeArgvTests {
    let walker = ProgramWalker()

    func plan(_ module: any Module.Type, _ values: OrderedDictionary<String, Value>) throws -> [String] {
        let spec = module.arguments
        return walker.commands(try module.plan(arguments(spec.normalized(values)), ModuleContext()))
    }

    @Test func composeV2BuildDependenciesAndDownOptions() throws {
        let up = try plan(DockerComposeModule.self, [
            "project_src": .string("/srv/app"), "build": .string("always"), "dependencies": .bool(false),
            "timeout": .int(5), "services": .list([.string("web")]),
        ])
        #expect(up.last == "cd /srv/app && docker compose up --detach --build --no-deps --timeout 5 web")
        let noBuild = try plan(DockerComposeModule.self, ["project_src": .string("/srv/app"), "build": .string("never")])
        #expect(noBuild.last == "cd /srv/app && docker compose up --detach --no-build")
        let down = try plan(DockerComposeModule.self, [
            "project_src": .string("/srv/app"), "state": .string("absent"), "remove_images": .string("local"), "remove_volumes": .bool(true),
        ])
        #expect(down.last == "cd /srv/app && docker compose down --rmi local --volumes")
    }
}
