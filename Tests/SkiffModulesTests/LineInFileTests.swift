import OrderedCollections
import SkiffCore
import SkiffModules
import Testing

/// lineinfile's edits, as Ansible makes them (cases from its documentation).
@Suite("lineinfile")
struct LineInFileTests {
    func edit(_ arguments: OrderedDictionary<String, Value>, _ text: String) throws -> (String, String?) {
        try LineInFileModule.Edit(ModuleArguments(arguments, module: "lineinfile")).apply(to: text)
    }

    @Test func regexpReplacesTheLastMatchingLine() throws {
        let (text, message) = try edit(["regexp": "^SELINUX=", "line": "SELINUX=enforcing"], "# c\nSELINUX=disabled\nx=1\n")
        #expect(text == "# c\nSELINUX=enforcing\nx=1\n")
        #expect(message == "line replaced")
        let (same, none) = try edit(["regexp": "^SELINUX=", "line": "SELINUX=enforcing"], text)
        #expect(same == text && none == nil, "idempotent")
    }

    @Test func lineIsAddedAtTheEndOrWhereAsked() throws {
        #expect(try edit(["line": "b"], "a").0 == "a\nb\n", "a missing final newline is added first")
        #expect(try edit(["line": "a"], "a\n").1 == nil, "an existing line is left alone")
        #expect(try edit(["line": "new", "insertafter": "^\\[main\\]"], "[main]\nx\n[other]\n").0 == "[main]\nnew\nx\n[other]\n")
        #expect(try edit(["line": "new", "insertbefore": "BOF"], "x\n").0 == "new\nx\n")
        #expect(try edit(["line": "new", "insertbefore": "^y"], "x\ny\nz\n").0 == "x\nnew\ny\nz\n")
        #expect(try edit(["line": "new", "insertafter": "^nomatch"], "x\n").0 == "x\nnew\n", "no match: at the end")
    }

    @Test func absentRemovesEveryMatch() throws {
        let (text, message) = try edit(["regexp": "^#", "state": "absent"], "#a\nb\n#c\n")
        #expect(text == "b\n")
        #expect(message == "2 line(s) removed")
    }

    @Test func backrefsFillGroupsAndChangeNothingWithoutAMatch() throws {
        #expect(try edit(["regexp": "^(listen) \\d+$", "line": "\\1 8080", "backrefs": true], "listen 80\n").0 == "listen 8080\n")
        #expect(try edit(["regexp": "^nothing", "line": "x", "backrefs": true], "a\n").0 == "a\n")
    }

    @Test func badArgumentsAreErrors() {
        #expect(throws: ModuleError.self) { try edit(["state": "present"], "") }
        #expect(throws: ModuleError.self) { try edit(["line": "x", "regexp": "(unclosed"], "") }
        #expect(throws: ModuleError.self) { try edit(["line": "x", "insertafter": "a", "insertbefore": "b"], "") }
    }

    @Test func missingFileFailsUnlessCreate() throws {
        let walker = ProgramWalker(answers: [("cat --", ProgramWalker.result(stdout: "__skiff_missing__\n"))])
        let missing = walker.walk(try LineInFileModule.plan(ModuleArguments(["path": "/etc/x", "line": "a"], module: "lineinfile")))
        #expect(missing.outcome.failed)
        #expect(missing.outcome.message == "Destination /etc/x does not exist !")
        let created = walker.walk(try LineInFileModule.plan(ModuleArguments(["path": "/etc/x", "line": "a", "create": true], module: "lineinfile")))
        #expect(created.actions.last == .upload("/etc/x", mode: "644"))
        #expect(created.outcome.changed)
    }
}
