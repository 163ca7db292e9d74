/// Every module Skiff runs. A new module is one file with a type conforming to `Module`, and one line here.
public enum ModuleRegistry {
    public static let all: [any Module.Type] = [
        CommandModule.self, ShellModule.self, RawModule.self,
        CopyModule.self, TemplateModule.self, FileModule.self, LineInFileModule.self,
        StatModule.self, SlurpModule.self, WaitForModule.self, GetURLModule.self, URIModule.self,
        DebugModule.self, SetFactModule.self, AssertModule.self, FailModule.self, PauseModule.self, MetaModule.self,
        IncludeVarsModule.self, SetupModule.self,
        SystemdModule.self, ServiceModule.self, UserModule.self, GroupModule.self, GitModule.self, UnarchiveModule.self, AptModule.self, PackageModule.self,
        AptRepositoryModule.self, Deb822RepositoryModule.self, AptKeyModule.self, DnfModule.self, PipModule.self,
        DockerLoginModule.self, DockerComposeModule.self, ComposeDeployModule.self,
        DockerNetworkModule.self, DockerContainerModule.self, DockerImageModule.self, DockerComposeV1Module.self,
    ]

    private static let byName: [String: any Module.Type] = {
        var index: [String: any Module.Type] = [:]
        for module in all {
            for name in module.names.all { index[name] = module }
        }
        return index
    }()

    /// The module a task names, under any of its names.
    public static func module(named name: String) -> (any Module.Type)? { byName[name] }

    /// Every name a module can be called by, for "did you mean" hints.
    public static var allNames: [String] { Array(byName.keys) }
}
