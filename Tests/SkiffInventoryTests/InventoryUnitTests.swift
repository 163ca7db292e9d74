import Foundation
import OrderedCollections
import SkiffCore
@testable import SkiffInventory
import Testing

@Suite("inventory building blocks")
struct InventoryUnitTests {
    @Test func hostRangesKeepLeadingZerosStepAndLetters() throws {
        #expect(try HostRange.expand("web[01:03].example.com") == ["web01.example.com", "web02.example.com", "web03.example.com"])
        #expect(try HostRange.expand("node[0:6:3]") == ["node0", "node3", "node6"])
        #expect(try HostRange.expand("db-[a:c]") == ["db-a", "db-b", "db-c"])
        #expect(try HostRange.expand("r[1:2]-u[1:2]") == ["r1-u1", "r1-u2", "r2-u1", "r2-u2"])
        #expect(try HostRange.expand("plain") == ["plain"])
        #expect(throws: HostRange.Failure.self) { try HostRange.expand("bad[1:2:0]") }
        #expect(try HostRange.expand("node[:2]") == ["node0", "node1", "node2"], "ansible starts a range without a start at 0")
        #expect(throws: HostRange.Failure.self) { try HostRange.expand("node[1:]") }
    }

    /// What ansible-core 2.19.14 gave a playbook for these INI values (`debug: msg="{{ [b1, …] }}"` and
    /// `ansible-inventory --list`): bytes are their text, sets lists, `set()` an empty list.
    @Test func iniValuesTypedLikePythonLiteralsWithPrefixesAndSets() {
        #expect(PythonLiteral.value(of: "b'x'") == .string("x"))
        #expect(PythonLiteral.value(of: "u'text'") == .string("text"))
        #expect(PythonLiteral.value(of: "r'a\\b'") == .string("a\\b"), "a raw string keeps its backslash")
        #expect(PythonLiteral.value(of: "bx") == .string("bx"))
        #expect(PythonLiteral.value(of: "{2, 1, 2}") == .list([.int(1), .int(2)]))
        #expect(PythonLiteral.value(of: "{'a'}") == .list([.string("a")]))
        #expect(PythonLiteral.value(of: "set()") == .list([]))
        #expect(PythonLiteral.value(of: "{}") == .dict([:]))
        #expect(PythonLiteral.value(of: "frozenset()") == .string("frozenset()"))
        #expect(PythonLiteral.value(of: "{'a': 1, 'b'}") == .string("{'a': 1, 'b'}"))
    }

    /// Python's shlex (posix), which reads INI host lines: inside double quotes a backslash escapes only
    /// `"` and `\`; before anything else it stays (`raw="r'a\b'"` gives `r'a\b'`).
    @Test func doubleQuotedBackslashesAreKeptAsShlexKeepsThem() throws {
        #expect(try ShellWords.split(#"a="r'x\y'" b="q\"t" c="s\\l" d=e\f"#) == [#"a=r'x\y'"#, #"b=q"t"#, #"c=s\l"#, "d=ef"])
    }

    @Test func iniValuesAreTypedLikePythonLiterals() {
        #expect(PythonLiteral.value(of: "2222") == .int(2222))
        #expect(PythonLiteral.value(of: "True") == .bool(true))
        #expect(PythonLiteral.value(of: "true") == .string("true"))
        #expect(PythonLiteral.value(of: "None") == .null)
        #expect(PythonLiteral.value(of: "007") == .string("007"))
        #expect(PythonLiteral.value(of: "1.5") == .double(1.5))
        #expect(PythonLiteral.value(of: "10.0.0.5") == .string("10.0.0.5"))
        #expect(PythonLiteral.value(of: "'quoted'") == .string("quoted"))
        #expect(PythonLiteral.value(of: "[1, 'a']") == .list([.int(1), .string("a")]))
        #expect(PythonLiteral.value(of: "{'k': 2}") == .dict(["k": .int(2)]))
        #expect(PythonLiteral.value(of: "1.0; touch /tmp/pwned") == .string("1.0; touch /tmp/pwned"))
    }

    @Test func hostLinesSplitLikeShlex() throws {
        #expect(try ShellWords.split(#"h1 a="x y" b='z' c=d#comment"#, comments: true) == ["h1", "a=x y", "b=z", "c=d"])
        #expect(try ShellWords.split(#"h1 path=a\ b"#) == ["h1", "path=a b"])
        #expect(throws: ShellWords.UnclosedQuote.self) { try ShellWords.split(#"h1 a="open"#) }
    }

    @Test func globsAreFnmatch() {
        #expect(Glob.matches("web*", "web12"))
        #expect(Glob.matches("db?.example.com", "db1.example.com"))
        #expect(!Glob.matches("db?.example.com", "db12.example.com"))
        #expect(Glob.matches("web[1-3]", "web2"))
        #expect(!Glob.matches("web[!1-3]", "web2"))
    }

    @Test func groupVariablesFollowDepthThenNameThenHost() throws {
        let inventory = try InventoryLoader().load(sources: [GoldenInventoryTests.fixtures + "/precedence.yml"])
        let h1 = inventory.variables(of: "h1")
        #expect(h1["level"] == .string("host"))
        #expect(h1["only_all"] == .string("from-all"))
        #expect(h1["only_parent"] == .string("from-parent"))
        #expect(inventory.variables(of: "h2")["level"] == .string("child"), "the deeper group wins")
        #expect(inventory.variables(of: "h2")["same_depth"] == .string("zzz"), "same depth: later name wins")
        #expect(inventory.groupNames(of: "h2") == ["aaa", "child", "parent", "zzz"])
    }

    @Test func varsFilesOverrideInventoryVarsAndHostFilesOverrideAll() throws {
        let inventory = try InventoryLoader().load(sources: [GoldenInventoryTests.fixtures + "/with-vars"])
        #expect(inventory.variables(of: "w1")["color"] == .string("web-file"))
        #expect(inventory.variables(of: "w1")["port_from"] == .string("host-file"))
        #expect(inventory.variables(of: "w2")["registry"] == .string("registry.example.com"))
    }

    @Test func commaListsAndLimits() throws {
        let inventory = try InventoryLoader().load(sources: ["web1,web2:2222,"])
        #expect(Array(inventory.hosts.keys) == ["web1", "web2"])
        #expect(inventory.hosts["web2"]?.vars["ansible_port"] == .int(2222))
        #expect(try HostPattern.limit("web2", in: inventory) == ["web2"])
        #expect(throws: InventoryError.self) { try HostPattern.limit("nothing-here", in: inventory) }

        let file = NSTemporaryDirectory() + "limit-\(UUID().uuidString)"
        try "# retry file\nweb1\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try HostPattern.limit("@\(file)", in: inventory) == ["web1"])
    }

    @Test func aMissingSourceIsAClearError() {
        #expect(throws: InventoryError.self) { try InventoryLoader().load(sources: ["/nonexistent/inventory"]) }
    }
}

@Suite("connection variables")
struct ConnectionVariablesTests {
    @Test func ansibleAndSkiffSpellings() throws {
        let vars: OrderedDictionary<String, Value> = [
            "ansible_host": .string("10.0.0.5"), "ansible_port": .int(2222), "ansible_user": .string("deploy"),
            "ansible_ssh_private_key_file": .string("~/.ssh/deploy"), "ansible_password": .string("hunter2"),
            "ansible_become": .string("yes"), "ansible_become_user": .string("app"),
            "ansible_ssh_common_args": .string("-o StrictHostKeyChecking=yes -o ProxyJump=ops@bastion:2200"),
            "skiff_user": .string("skiff-deploy"),
        ]
        let connection = try ConnectionVariables(host: "web01", variables: vars)
        #expect(connection.kind == .ssh)
        #expect(connection.address == "10.0.0.5")
        #expect(connection.port == 2222)
        #expect(connection.user == "skiff-deploy", "skiff_* wins")
        #expect(connection.privateKeyFile == "~/.ssh/deploy")
        #expect(connection.password?.revealed == "hunter2")
        #expect(!"\(connection)".contains("hunter2"), "the password never prints")
        #expect(connection.become)
        #expect(connection.becomeUser == "app")
        #expect(connection.sshCommonArgs == "-o StrictHostKeyChecking=yes -o ProxyJump=ops@bastion:2200")
    }

    @Test func defaultsLocalAndErrors() throws {
        let plain = try ConnectionVariables(host: "web02", variables: [:])
        #expect(plain.address == "web02")
        #expect(plain.port == nil)
        #expect(plain.sshCommonArgs == nil)
        #expect(try ConnectionVariables(host: "localhost", variables: [:]).kind == .local)
        #expect(throws: InventoryError.self) { try ConnectionVariables(host: "h", variables: ["ansible_connection": .string("winrm")]) }
        #expect(throws: InventoryError.self) { try ConnectionVariables(host: "h", variables: ["ansible_port": .string("ssh")]) }
    }
}
