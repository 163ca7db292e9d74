import Foundation
import SkiffCore
import SkiffTemplate
import Testing

/// Rendering time grows with the template's size, not with its square. The time is printed, not
/// asserted (the machine is shared); the output is checked.
@Suite("rendering scale")
struct RenderingScaleTests {
    @Test func twoHundredThousandInterpolationsRender() throws {
        let count = 200_000
        let text = String(repeating: "line {{ n }}\n", count: count)
        let context = TemplateContext(variables: ["n": .int(7)])
        let clock = ContinuousClock()
        let start = clock.now
        let template = try Template(text, location: SourceLocation(file: "big.j2", line: 1))
        let parsed = clock.now
        let output = try template.render(context)
        let rendered = clock.now
        print("rendering scale: \(count) interpolations: parse \(parsed - start), render \(rendered - parsed)")
        #expect(output.utf8.count == count * "line 7\n".utf8.count)
    }
}
