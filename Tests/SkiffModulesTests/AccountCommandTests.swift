import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// The commands `user` sends: useradd as ansible-core builds it, and the password only on stdin.
@Suite("account module commands")
struct AccountCommandTests {
    @Test func anAbsentUserIsCreatedWithUseraddAndThePasswordOnStdin() throws {
        let hash = "$6$salt$secrethash"
        let values: OrderedDictionary<String, Value> = [
            "name": .string("deploy"), "uid": .int(4501), "group": .string("deployers"), "groups": .list([.string("docker")]),
            "shell": .string("/bin/bash"), "password": .string(hash), "system": .bool(true),
        ]
        let plan = try UserModule.plan(ModuleArguments(UserModule.arguments.normalized(values), module: "user"), ModuleContext())
        var walker = ProgramWalker()
        walker.answers = [("getent passwd", ProgramWalker.result(0, stdout: "absent\n"))]
        let (actions, outcome) = walker.walk(plan)
        let lines = actions.compactMap { if case .run(let line, _) = $0 { return line } else { return nil } }
        #expect(lines.contains("useradd -u 4501 -g deployers -G docker -s /bin/bash -m -r deploy"))
        #expect(lines.contains("chpasswd -e"))
        #expect(lines.allSatisfy { !$0.contains("secrethash") }, "the hash is on no command line")
        #expect(actions.contains(.run("chpasswd -e", stdin: "deploy:\(hash)\n")))
        #expect(outcome.changed && !outcome.failed)
    }
}
