import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// The exact commands `systemd_service` and `service` send (no systemd runs on this machine).
@Suite("service module commands")
struct ServiceCommandTests {
    static func walker(active: Bool, enabled: String = "disabled") -> ProgramWalker {
        var walker = ProgramWalker()
        walker.answers = [
            (" show ", ProgramWalker.result(0, stdout: "Id=web.service\nLoadState=loaded\nActiveState=\(active ? "active" : "inactive")\n")),
            (" is-enabled ", ProgramWalker.result(enabled == "enabled" ? 0 : 1, stdout: enabled + "\n")),
        ]
        return walker
    }

    static func systemd(_ values: OrderedDictionary<String, Value>, check: Bool = false) throws -> ModulePlan {
        try SystemdModule.plan(ModuleArguments(SystemdModule.arguments.normalized(values), module: "systemd", checkMode: check), ModuleContext())
    }

    @Test func restartedRestartsARunningUnitAndStartsAStoppedOne() throws {
        let plan = try Self.systemd(["name": .string("web.service"), "state": .string("restarted")])
        #expect(Self.walker(active: true).commands(plan) == ["systemctl show web.service", "systemctl restart web.service"])
        #expect(Self.walker(active: false).commands(plan) == ["systemctl show web.service", "systemctl start web.service"])
        let outcome = Self.walker(active: true).walk(plan).outcome
        #expect(outcome.changed && outcome.result["state"] == .string("started"))
        #expect(outcome.result["status"]?.dictValue?["Id"] == .string("web.service"))
        let reloaded = try Self.systemd(["name": .string("web.service"), "state": .string("reloaded")])
        #expect(Self.walker(active: true).commands(reloaded).last == "systemctl reload web.service")
    }

    @Test func scopeNoBlockAndForceGoBeforeTheVerbAndTheUnitIsOneWord() throws {
        let plan = try Self.systemd([
            "unit": .string("my unit; reboot"), "state": .string("started"), "scope": .string("user"),
            "no_block": .bool(true), "force": .bool(true),
        ])
        #expect(Self.walker(active: false).commands(plan) == [
            "systemctl --user --no-block --force show 'my unit; reboot'", "systemctl --user --no-block --force start 'my unit; reboot'",
        ])
    }

    @Test func checkModeOnlyAsks() throws {
        let plan = try Self.systemd(["name": .string("web"), "state": .string("started"), "enabled": .bool(true), "daemon_reload": .bool(true)], check: true)
        let (actions, outcome) = Self.walker(active: false).walk(plan)
        #expect(actions == [.run("systemctl show web", stdin: nil), .run("systemctl is-enabled web", stdin: nil)])
        #expect(outcome.changed && outcome.result["enabled"] == .bool(true))
    }

    @Test func enabledRuntimeIsEnabledAgainAsAnsibleDoes() throws {
        let plan = try Self.systemd(["name": .string("web"), "enabled": .bool(true)])
        #expect(Self.walker(active: true, enabled: "enabled").commands(plan) == ["systemctl show web", "systemctl is-enabled web"])
        var runtime = Self.walker(active: true)
        runtime.answers.insert(("systemctl is-enabled", ProgramWalker.result(0, stdout: "enabled-runtime\n")), at: 0)
        #expect(runtime.commands(plan).last == "systemctl enable web")
    }

    @Test func aFailingActionFailsWithItsMessage() throws {
        var walker = Self.walker(active: false)
        walker.answers.insert(("systemctl start", ProgramWalker.result(1, stderr: "Job failed.\n")), at: 0)
        let outcome = walker.walk(try Self.systemd(["name": .string("web"), "state": .string("started")])).outcome
        #expect(outcome.failed && outcome.message == "Unable to start service web: Job failed.")
    }

    @Test func aGlobInTheNameIsRefused() {
        #expect(throws: ModuleError.self) { try Self.systemd(["name": .string("web*"), "state": .string("started")]) }
    }

    @Test func serviceWithoutSystemdUsesUpdateRcDForBootLinks() throws {
        var walker = ProgramWalker()
        walker.answers = [
            ("command -v systemctl", ProgramWalker.result(0, stdout: "service\n")),
            ("update-rc.d enabled", ProgramWalker.result(0, stdout: "update-rc.d none\n")),
            ("service nginx status", ProgramWalker.result(3)),
        ]
        let plan = try ServiceModule.plan(
            ModuleArguments(["name": .string("nginx"), "state": .string("started"), "enabled": .bool(true)], module: "service"), ModuleContext())
        let commands = walker.commands(plan)
        #expect(Array(commands.suffix(3)) == ["update-rc.d nginx defaults", "service nginx status", "service nginx start"])
        #expect(walker.walk(plan).outcome.changed)
    }
}
