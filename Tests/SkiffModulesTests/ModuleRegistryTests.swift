import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

@Suite("one list of modules, each one type")
struct ModuleRegistryTests {
    @Test func everyNameBelongsToOneModule() {
        var owners: [String: String] = [:]
        for module in ModuleRegistry.all {
            #expect(module.names.all.contains(module.names.canonical), "\(module.names.canonical) is one of its own names")
            for name in module.names.all {
                #expect(owners[name] == nil, "\(name) names both \(owners[name] ?? "") and \(module.names.canonical)")
                owners[name] = module.names.canonical
            }
        }
        #expect(ModuleRegistry.module(named: "ansible.legacy.copy")?.names.canonical == "ansible.builtin.copy")
        #expect(ModuleRegistry.module(named: "docker_login")?.names.canonical == "community.docker.docker_login")
        #expect(ModuleRegistry.module(named: "ansible.builtin.nosuch") == nil)
    }

    @Test func argumentsAreNormalizedToTheirNamesWithDefaults() {
        let spec = ArgumentSpec([.string("path", aliases: ["dest"]), .string("state", default: "present"), .bool("force", default: false)])
        #expect(spec.normalized(["dest": .string("/x")]) == ["path": .string("/x"), "state": .string("present"), "force": .bool(false)])
        #expect(spec.normalized(["path": .string("/a"), "state": .string("absent")]) == ["path": .string("/a"), "state": .string("absent"), "force": .bool(false)])
    }

    @Test func checkModeSupportIsDeclaredByEachModule() {
        #expect(ModuleRegistry.module(named: "copy")?.supportsCheckMode == true)
        #expect(ModuleRegistry.module(named: "uri")?.supportsCheckMode == false)
        #expect(ModuleRegistry.module(named: "debug")?.runsOnController == true)
    }
}
