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

    @Test func theV1ModuleNameRunsThroughCompose() throws {
        #expect(ModuleRegistry.module(named: "community.docker.docker_compose")?.names.canonical == "community.docker.docker_compose")
        #expect(ModuleRegistry.module(named: "docker_compose")?.names.canonical == "community.docker.docker_compose")
        let up = try plan(DockerComposeV1Module.self, [
            "project_src": .string("/srv/app"), "build": .bool(true), "pull": .bool(true), "recreate": .string("always"),
            "dependencies": .bool(false), "env_file": .string("/srv/app/.env"),
        ])
        #expect(up == ["docker compose version",
                       "cd /srv/app && docker compose --env-file /srv/app/.env up --detach --pull always --force-recreate --build --no-deps"])
        var v1 = ProgramWalker()
        v1.answers = [("compose version", ProgramWalker.result(1))]
        let plain = try DockerComposeV1Module.plan(arguments(DockerComposeV1Module.arguments.normalized(["project_src": .string("/srv/app")])), ModuleContext())
        #expect(v1.commands(plain).last == "cd /srv/app && docker-compose up --detach", "docker-compose v1 where the plugin is missing")
        let stopped = try plan(DockerComposeV1Module.self, ["project_src": .string("/srv/app"), "stopped": .bool(true), "services": .list([.string("web")])])
        #expect(stopped.last == "cd /srv/app && docker compose stop web")
        let restarted = try plan(DockerComposeV1Module.self, ["project_src": .string("/srv/app"), "restarted": .bool(true), "timeout": .int(3)])
        #expect(restarted.last == "cd /srv/app && docker compose restart --timeout 3")
        let down = try plan(DockerComposeV1Module.self, [
            "project_src": .string("/srv/app"), "state": .string("absent"), "remove_images": .string("all"), "remove_volumes": .bool(true),
            "remove_orphans": .bool(true),
        ])
        #expect(down.last == "cd /srv/app && docker compose down --remove-orphans --rmi all --volumes")
    }
}
