import OrderedCollections
import SkiffCore
import SkiffTemplate
import Testing

/// Variables written by the user are templates, rendered when used; data (what hosts returned, what
/// `set_fact`, loops and templates produced) is used as it is, as ansible-core 2.19 does.
@Suite("host data is never templated again")
struct HostDataTests {
    static let hostile = "{{ lookup('env', 'SKIFF_TEST_CANARY') }} {{ password }} {{.Names}}"

    static func context() -> TemplateContext {
        var context = TemplateContext(
            variables: ["password": .string("hunter2-secret"), "greeting": .string("hello {{ name }}"), "name": .string("ops")],
            environment: { $0 == "SKIFF_TEST_CANARY" ? "controller-env-value" : nil })
        context.merge(["out": .dict(["stdout": .string(hostile), "stdout_lines": .list([.string(hostile)])])], as: .data)
        return context
    }

    @Test func templateVariablesAreRenderedWhenUsed() throws {
        #expect(try Template("{{ greeting }}").render(Self.context()) == "hello ops")
    }

    @Test func dataIsUsedAsItIs() throws {
        let context = Self.context()
        #expect(try Template("{{ out.stdout }}").render(context) == Self.hostile)
        #expect(try Template("{{ out.stdout_lines[0] | upper }}").render(context) == Self.hostile.uppercased())
        #expect(try Template("{{ lookup('vars', 'out').stdout }}").render(context) == Self.hostile)
    }

    /// A `{% for %}` variable and a `{% set %}` name hold values the template computed: data.
    @Test func templateLoopAndSetVariablesAreData() throws {
        let context = Self.context()
        #expect(try Template("{% for line in out.stdout_lines %}{{ line }}{% endfor %}").render(context) == Self.hostile)
        #expect(try Template("{% set x = out.stdout %}{{ x }}").render(context) == Self.hostile)
    }

    /// A template variable set again as data stops being a template, and the other way round.
    @Test func theLastKindSetWins() throws {
        var context = Self.context()
        context.set("greeting", .string("{{ name }}"), as: .data)
        #expect(try Template("{{ greeting }}").render(context) == "{{ name }}")
        context.set("greeting", .string("{{ name }}"), as: .template)
        #expect(try Template("{{ greeting }}").render(context) == "ops")
    }

    /// In `hostvars`, a host's inventory variables are rendered, its facts and results are not.
    @Test func hostvarsRendersInventoryVariablesOnly() throws {
        var context = Self.context()
        context.set("hostvars", .dict(["web1": .dict(["url": .string("http://{{ name }}"), "out": .dict(["stdout": .string(Self.hostile)])])]), as: .template)
        context.hostvarsData = ["web1": ["out"]]
        #expect(try Template("{{ hostvars['web1'].url }}").render(context) == "http://ops")
        #expect(try Template("{{ hostvars['web1'].out.stdout }}").render(context) == Self.hostile)
    }
}
