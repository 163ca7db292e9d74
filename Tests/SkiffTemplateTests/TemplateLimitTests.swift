import Foundation
import SkiffCore
import SkiffTemplate
import Testing

/// Nesting, sizes and recursion a hostile template could use to exhaust the controller's stack or memory
/// are errors that name the template's location.
@Suite("template limits")
struct TemplateLimitTests {
    static let location = SourceLocation(file: "app.conf.j2", line: 3, column: 1)
    static let context = TemplateContext(variables: ["n": .int(99_999_999_999)])

    /// Parsing and rendering `text` must fail with a located error whose message contains `words`.
    func expectError(_ text: String, _ words: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            let result = try Template(text, location: Self.location).render(Self.context)
            Issue.record("rendered \(result.utf8.count) bytes", sourceLocation: sourceLocation)
        } catch let error as TemplateError {
            #expect(error.message.contains(words), "\(error.message.prefix(300))", sourceLocation: sourceLocation)
            #expect(error.location?.file == "app.conf.j2", "\(error.location.map(String.init(describing:)) ?? "no location")", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func repeatingTextOrAListPastTheLimitIsAnError() throws {
        #expect(try Template("{{ 'ab' * 3 }}{{ [1] * 2 }}{{ 'x' * -1 }}").render(Self.context) == "ababab[1, 1]")
        expectError("{{ 'x' * 99999999999 }}", "too large")
        expectError("{{ 'xy' * n }}", "too large")
        expectError("{{ [1, 2] * 99999999999 }}", "too large")
        expectError("{{ ('x' * 1000000) | replace('x', 'yy' * 1000000) }}", "too large")
        expectError("{{ ('x' * 1000000).replace('x', 'yy' * 1000000) }}", "too large")
        expectError("{{ ([1] * 1000000) | join('x' * 1000000) }}", "too large")
        expectError("{{ ('x' * 10000000) ~ ('x' * 10000000) }}", "too large")
        expectError("{{ [('x' * 10000000)] * 1000 }}", "too large")
        expectError("{{ ([('x' * 10000000)] * 1000) | to_json }}", "too large")
        expectError("{{ [[[[('x' * 1000)] * 1000] * 1000] * 1000] | join }}", "too large")
    }

    @Test func renderedOutputIsBounded() {
        expectError("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "too large")
    }

    @Test func loopsAreBounded() throws {
        // A billion iterations, stopped after 250,000.
        let loops = "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}"
        expectError(loops, "iterations")
        #expect(try Template("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}.").render(Self.context) == ".")
    }

    @Test func deeplyNestedBracketsAreAnErrorNotAStackOverflow() {
        expectError("{{ " + String(repeating: "[", count: 20000) + String(repeating: "]", count: 20000) + " }}", "nested")
        expectError("{{ " + String(repeating: "(", count: 20000) + "1" + String(repeating: ")", count: 20000) + " }}", "nested")
        expectError("{{ " + String(repeating: "{'a': ", count: 20000) + "1" + String(repeating: "}", count: 20000) + " }}", "nested")
        expectError("{{ " + String(repeating: "not ", count: 50000) + "1 }}", "nested")
        expectError("{{ " + String(repeating: "-", count: 50000) + "1 }}", "nested")
        expectError("{{ 1" + String(repeating: " + 1", count: 20000) + " }}", "nested")
        expectError("{{ x" + String(repeating: "[0]", count: 20000) + " }}", "nested")
        expectError("{{ x" + String(repeating: " | string", count: 20000) + " }}", "nested")
    }

    @Test func modestNestingStillWorks() throws {
        let nested = "{{ " + String(repeating: "[", count: 50) + "1" + String(repeating: "]", count: 50) + " | flatten }}"
        #expect(try Template(nested).render(Self.context) == "[1]")
        let sum = "{{ 0" + String(repeating: " + 1", count: 90) + " }}"
        #expect(try Template(sum).render(Self.context) == "90")
        let blocks = String(repeating: "{% if true %}", count: 50) + "deep" + String(repeating: "{% endif %}", count: 50)
        #expect(try Template(blocks).render(Self.context) == "deep")
    }

    @Test func uniqueTreatsEqualNumbersAsOneAndIsLinear() throws {
        #expect(try Template("{{ [1, 1.0, true, 2, 'a', 'a', 2.5] | unique }}").evaluate(Self.context) == .list([1, 2, "a", .double(2.5)]))
        // 100,000 distinct items: quadratic, this took minutes.
        #expect(try Template("{{ range(100000) | unique | length }}").evaluate(Self.context) == .int(100_000))
    }

    @Test func deeplyNestedBlocksAreAnErrorNotAStackOverflow() {
        expectError(String(repeating: "{% if true %}", count: 50000) + String(repeating: "{% endif %}", count: 50000), "nested")
        expectError(String(repeating: "{% for i in [1] %}", count: 50000) + String(repeating: "{% endfor %}", count: 50000), "nested")
    }

    @Test func variablesNestingEachOthersTemplatesDeeplyAreAnError() {
        // Each variable's template is 95 levels deep and uses the next one: 10 of them would nest 950 levels.
        var variables: [String: Value] = [:]
        for level in 0..<10 {
            let inner = level < 9 ? "v\(level + 1)" : "1"
            variables["v\(level)"] = .string("{{ " + String(repeating: "[", count: 95) + inner + String(repeating: "]", count: 95) + " }}")
        }
        let context = TemplateContext(variables: .init(uniqueKeysWithValues: variables.sorted { $0.key < $1.key }))
        do {
            _ = try Template("{{ v0 }}", location: Self.location).render(context)
            Issue.record("rendered")
        } catch let error as TemplateError {
            #expect(error.message.contains("more than 300 levels deep"), "\(error.message.prefix(300))")
            #expect(error.location?.file == "app.conf.j2")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func deeplyNestedJSONIsAnError() {
        expectError("{{ '" + String(repeating: "[", count: 100_000) + "' | from_json }}", "nested")
    }

    @Test func aTemplateLookingItselfUpIsAnError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "again: {{ lookup('template', 'self.j2') }}".write(
            to: directory.appendingPathComponent("self.j2"), atomically: true, encoding: .utf8)
        let context = TemplateContext(searchPaths: [directory.path])
        do {
            _ = try Template("{{ lookup('template', 'self.j2') }}", location: Self.location).render(context)
            Issue.record("a template that includes itself rendered")
        } catch let error as TemplateError {
            #expect(error.message.contains("recursive"), "\(error.message.prefix(300))")
        }
    }
}
