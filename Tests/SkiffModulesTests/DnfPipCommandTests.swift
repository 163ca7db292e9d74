import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// dnf/yum (no rpm tools on this machine: golden tests of the exact commands) and pip's decisions.
@Suite("dnf and pip commands")
struct DnfPipCommandTests {
    static func dnf(_ values: OrderedDictionary<String, Value>, check: Bool = false) throws -> ModulePlan {
        try DnfModule.plan(ModuleArguments(DnfModule.arguments.normalized(values), module: "dnf", checkMode: check), ModuleContext())
    }

    /// A host with dnf where `installed` packages are installed and `check-update` answers `updates`.
    static func host(installed: [String], updates: Bool = false, tool: String = "dnf") -> ProgramWalker {
        var walker = ProgramWalker()
        walker.answers = [
            ("rpm -q", ProgramWalker.result(0, stdout: tool + "\n" + installed.map { "installed \($0)\n" }.joined())),
            ("check-update", ProgramWalker.result(updates ? 100 : 0)),
        ]
        return walker
    }

    static func commands(_ walker: ProgramWalker, _ plan: ModulePlan) -> [String] { Array(walker.commands(plan).dropFirst()) }

    @Test func presentInstallsOnlyWhatIsMissingWithTheRepositoryOptions() throws {
        let plan = try Self.dnf([
            "name": .list([.string("nginx"), .string("git")]), "enablerepo": .string("epel"), "disablerepo": .string("*"),
            "disable_gpg_check": .bool(true), "update_cache": .bool(true),
        ])
        #expect(Self.commands(Self.host(installed: ["git"]), plan) == [
            "dnf -y --nogpgcheck '--disablerepo=*' --enablerepo=epel --refresh makecache",
            "dnf -y --nogpgcheck '--disablerepo=*' --enablerepo=epel install nginx",
        ])
        let outcome = Self.host(installed: ["git"]).walk(plan).outcome
        #expect(outcome.changed && outcome.result["results"] == .list([.string("Installed: nginx")]))
        let again = Self.host(installed: ["git", "nginx"]).walk(plan)
        #expect(!again.outcome.changed && again.actions.count == 2, "only the probe and the cache refresh")
    }

    @Test func latestUpgradesWhatHasANewerVersionAndYumIsUsedWhereThereIsNoDnf() throws {
        let plan = try Self.dnf(["name": .string("nginx,git"), "state": .string("latest")])
        #expect(Self.commands(Self.host(installed: ["nginx"], updates: true), plan) == [
            "dnf -q check-update nginx", "dnf -y install git", "dnf -y upgrade nginx",
        ])
        #expect(Self.commands(Self.host(installed: ["nginx", "git"], updates: false, tool: "yum"), plan) == ["yum -q check-update nginx git"])
        #expect(!Self.host(installed: ["nginx", "git"]).walk(plan).outcome.changed)
        let everything = try Self.dnf(["name": .string("*"), "state": .string("latest")])
        #expect(Self.commands(Self.host(installed: [], updates: true), everything) == ["dnf -q check-update", "dnf -y upgrade"])
    }

    @Test func absentRemovesOnlyWhatIsInstalledAndCheckModeOnlyAsks() throws {
        let plan = try Self.dnf(["name": .list([.string("nginx"), .string("git")]), "state": .string("removed"), "autoremove": .bool(true)])
        #expect(Self.commands(Self.host(installed: ["git"]), plan) == ["dnf -y --setopt=clean_requirements_on_remove=True remove git"])
        #expect(Self.commands(Self.host(installed: []), plan).isEmpty)
        let inferred = try Self.dnf(["name": .string("git"), "autoremove": .bool(true)])
        #expect(Self.commands(Self.host(installed: ["git"]), inferred) == ["dnf -y --setopt=clean_requirements_on_remove=True remove git"],
                "autoremove without a state means absent, as in Ansible")
        let check = try Self.dnf(["name": .string("nginx")], check: true)
        let (actions, outcome) = Self.host(installed: []).walk(check)
        #expect(actions.count == 1 && outcome.changed && outcome.result["results"] == .list([.string("Installed: nginx")]))
    }

    @Test func aPackageNobodyHasFailsWithAnsiblesMessage() throws {
        var walker = Self.host(installed: [])
        walker.answers.insert(("install nosuch", ProgramWalker.result(1, stderr: "No match for argument: nosuch\nError: Unable to find a match: nosuch\n")), at: 0)
        let outcome = walker.walk(try Self.dnf(["name": .string("nosuch")])).outcome
        #expect(outcome.failed && outcome.message == "Failed to install some of the specified packages")
        #expect(outcome.result["failures"] == .list([.string("No package nosuch available.")]))
    }

    @Test func groupsAreDnfsToDecide() throws {
        var walker = Self.host(installed: [])
        walker.answers.insert(("install @web", ProgramWalker.result(0, stdout: "Dependencies resolved.\nNothing to do.\nComplete!\n")), at: 0)
        let plan = try Self.dnf(["name": .string("@web")])
        #expect(walker.commands(plan).first?.hasSuffix("sh") == true, "a group is not asked of rpm")
        #expect(!walker.walk(plan).outcome.changed)
    }

    @Test func packagePicksDnfOnADnfHost() throws {
        var walker = Self.host(installed: [])
        walker.answers.insert(("apt-get dnf yum", ProgramWalker.result(0, stdout: "dnf\n")), at: 0)
        let plan = try PackageModule.plan(ModuleArguments(["name": .list([.string("nginx")]), "state": .string("installed")], module: "package"), ModuleContext())
        #expect(walker.commands(plan).last == "dnf -y install nginx")
        #expect(ModuleRegistry.module(named: "ansible.builtin.yum")?.names.canonical == "ansible.builtin.dnf")
    }

    @Test func listParsesDnfsTable() throws {
        var walker = Self.host(installed: [])
        walker.answers.insert(("list installed", ProgramWalker.result(0, stdout: "Installed Packages\nnginx.x86_64   1:1.20.1-14.el9   @appstream\n")), at: 0)
        let outcome = walker.walk(try Self.dnf(["list": .string("installed")])).outcome
        #expect(outcome.result["results"] == .list([.dict([
            "name": .string("nginx"), "arch": .string("x86_64"), "epoch": .string("1"), "version": .string("1.20.1"),
            "release": .string("14.el9"), "repo": .string("appstream"), "yumstate": .string("installed"),
            "nevra": .string("1:nginx-1.20.1-14.el9.x86_64"),
        ])]))
    }

    // MARK: pip

    @Test func requirementsAndVersionsAreComparedAsPipDoes() throws {
        let installed = PipRequirement.installed("Flask==2.3.1\nsome_thing==1.0rc1\nzope.interface==6.0\n")
        func satisfied(_ text: String) throws -> Bool { try #require(PipRequirement(text)).isSatisfied(by: installed) }
        #expect(try satisfied("flask") && satisfied("Flask>=2.0,<3") && satisfied("flask==2.3.*") && satisfied("flask~=2.3.0"))
        #expect(try !satisfied("flask>2.3.1") && !satisfied("flask==2.2.*") && !satisfied("flask~=2.4"))
        #expect(try satisfied("Some-Thing<1.0") && !satisfied("some.thing>=1.0") && satisfied("zope-interface[x]==6"))
        #expect(PipRequirement("git+https://x/y.git") == nil && PipRequirement("./dist/a.whl") == nil)
        #expect(PipRequirement.rejoined(["flask>=2.0", "<3", "requests"]) == ["flask>=2.0,<3", "requests"])
        #expect(PEP440Version("1.0.dev1").compare(PEP440Version("1.0a1")) < 0)
        #expect(PEP440Version("1.0.post1").compare(PEP440Version("1.0")) > 0)
        #expect(PEP440Version("99999999999999999999999.1").compare(PEP440Version("1")) > 0, "a huge number does not trap")
    }

    static func pip(_ values: OrderedDictionary<String, Value>, check: Bool = false) throws -> ModulePlan {
        try PipModule.plan(ModuleArguments(PipModule.arguments.normalized(values), module: "pip", checkMode: check), ModuleContext())
    }

    static func pipHost(venv: String, installed: String) -> ProgramWalker {
        var walker = ProgramWalker()
        walker.answers = [
            ("bin/activate", ProgramWalker.result(0, stdout: "\(venv)\n/srv/venv/bin/pip\n")),
            ("list --format=freeze", ProgramWalker.result(0, stdout: installed)),
            ("pip install", ProgramWalker.result(0, stdout: "Successfully installed skiff-demo-1.0\n")),
        ]
        return walker
    }

    @Test func pipCreatesTheVirtualenvThenInstallsOnlyWhatIsMissing() throws {
        let plan = try Self.pip([
            "name": .list([.string("skiff-demo>=1.0"), .string("requests")]), "virtualenv": .string("/srv/venv"),
            "virtualenv_command": .string("python3 -m venv"), "extra_args": .string("--no-index --find-links '/srv/my wheels'"),
        ])
        #expect(Self.pipHost(venv: "novenv", installed: "requests==2.31.0\n").commands(plan).dropFirst() == [
            "python3 -m venv /srv/venv",
            "/srv/venv/bin/pip list --format=freeze",
            "/srv/venv/bin/pip install --no-index --find-links '/srv/my wheels' 'skiff-demo>=1.0'",
        ])
        let second = Self.pipHost(venv: "venv", installed: "requests==2.31.0\nskiff_demo==1.0\n").walk(plan)
        #expect(!second.outcome.changed && second.actions.count == 2)
        let check = try Self.pip(["name": .string("skiff-demo"), "virtualenv": .string("/srv/venv")], check: true)
        let checked = Self.pipHost(venv: "novenv", installed: "").walk(check)
        #expect(checked.outcome.changed && checked.actions.count == 1, "--check creates no virtualenv")
    }

    @Test func pipAbsentLatestAndRequirements() throws {
        let absent = try Self.pip(["name": .string("skiff-demo"), "state": .string("absent"), "executable": .string("pip3")])
        #expect(Self.pipHost(venv: "-", installed: "skiff-demo==1.0\n").commands(absent).last == "/srv/venv/bin/pip uninstall -y skiff-demo")
        #expect(Self.pipHost(venv: "-", installed: "").commands(absent).count == 2, "nothing to remove: no pip uninstall")
        let latest = try Self.pip(["name": .string("skiff-demo"), "state": .string("latest"), "chdir": .string("/srv")])
        #expect(Self.pipHost(venv: "-", installed: "").commands(latest).last == "cd /srv && /srv/venv/bin/pip install -U skiff-demo")
        let requirements = Self.pipHost(venv: "-", installed: "a==1\n")
        let plan = try Self.pip(["requirements": .string("requirements.txt")])
        #expect(requirements.commands(plan).suffix(2) == ["/srv/venv/bin/pip install -r requirements.txt", "/srv/venv/bin/pip list --format=freeze"])
        #expect(!requirements.walk(plan).outcome.changed, "the same packages before and after")
        #expect(throws: ModuleError.self) { try Self.pip(["name": .list([.string("a"), .string("b")]), "version": .string("1.0")]) }
        #expect(throws: ModuleError.self) { try Self.pip(["name": .string("a"), "version": .string("1.0"), "state": .string("latest")]) }
    }
}
