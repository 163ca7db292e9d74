import SkiffCore
import SkiffTemplate
import Testing

/// Integer arithmetic at and beyond 64 bits: exact results where they fit, Python's float where Python
/// has one, and otherwise an error naming the template's location — never a crash of the controller.
@Suite("template arithmetic never crashes")
struct ArithmeticSafetyTests {
    static let location = SourceLocation(file: "deploy.yml", line: 7, column: 12)
    static let context = TemplateContext(variables: ["big": .int(Int.max), "small": .int(Int.min), "x": .int(-7)])

    func value(_ text: String) throws -> Value {
        try Template(text, location: Self.location).evaluate(Self.context)
    }

    /// The text must fail with a located error whose message contains `words`.
    func expectError(_ text: String, _ words: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            let result = try value(text)
            Issue.record("\(text) gave \(result)", sourceLocation: sourceLocation)
        } catch let error as TemplateError {
            #expect(error.message.contains(words), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.location?.file == "deploy.yml", "\(error)", sourceLocation: sourceLocation)
            #expect(error.location?.line == 7, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func powersAreExactOrAnError() throws {
        #expect(try value("{{ 2 ** 62 }}") == .int(1 << 62))
        #expect(try value("{{ 3 ** 39 }}") == .int(4_052_555_153_018_976_267))
        #expect(try value("{{ (-2) ** 63 }}") == .int(Int.min))
        #expect(try value("{{ 2 ** -1 }}") == .double(0.5))
        #expect(try value("{{ 0 ** 0 }}") == .int(1))
        expectError("{{ 2 ** 63 }}", "64-bit")
        expectError("{{ 10 ** 100 }}", "64-bit")
        expectError("{{ big + 1 }}", "64-bit")
        expectError("{{ small - 1 }}", "64-bit")
        expectError("{{ big * 2 }}", "64-bit")
    }

    @Test func floorDivisionIsExactAtTheLimits() throws {
        #expect(try value("{{ big // 1 }}") == .int(Int.max))
        #expect(try value("{{ big // 2 }}") == .int(Int.max / 2))
        #expect(try value("{{ small // 1 }}") == .int(Int.min))
        #expect(try value("{{ x // 2 }}") == .int(-4))
        #expect(try value("{{ 7 // -2 }}") == .int(-4))
        expectError("{{ small // -1 }}", "64-bit")
        expectError("{{ 1 // 0 }}", "division by zero")
    }

    @Test func moduloHasPythonsSignAtTheLimits() throws {
        #expect(try value("{{ 1 % big }}") == .int(1))
        #expect(try value("{{ -1 % big }}") == .int(Int.max - 1))
        #expect(try value("{{ small % -1 }}") == .int(0))
        #expect(try value("{{ small % big }}") == .int(Int.max - 1))
        #expect(try value("{{ x % 3 }}") == .int(2))
        #expect(try value("{{ 7 % -3 }}") == .int(-2))
        expectError("{{ 1 % 0 }}", "modulo by zero")
    }

    @Test func negatingTheSmallestIntegerIsAnError() {
        expectError("{{ -small }}", "64-bit")
        expectError("{{ small | abs }}", "64-bit")
    }

    @Test func divisibleByMinusOneAtTheLimit() throws {
        #expect(try value("{{ small is divisibleby(-1) }}") == .bool(true))
        #expect(try value("{{ small is divisibleby(3) }}") == .bool(false))
    }

    @Test func intFilterOnFloatTextLikeJinja() throws {
        // Jinja's int filter: int(float(text)); NaN is not a number and gives the default.
        #expect(try value("{{ 'nan' | int }}") == .int(0))
        #expect(try value("{{ 'nan' | int(5) }}") == .int(5))
        #expect(try value("{{ '1e3' | int }}") == .int(1000))
        #expect(try value("{{ 2.9 | int }}") == .int(2))
        #expect(try value("{{ -2.9 | int }}") == .int(-2))
        expectError("{{ '1e30' | int }}", "64-bit")
        expectError("{{ 1e30 | int }}", "64-bit")
        expectError("{{ 'inf' | int }}", "infinity")
    }

    @Test func hugeIntegerLiteralsAreFloatsNotZero() throws {
        #expect(try value("{{ 99999999999999999999 }}") == .double(1e20))
        #expect(try value("{{ 9223372036854775807 }}") == .int(Int.max))
        #expect(try value("{{ 9223372036854775808 }}") == .double(9_223_372_036_854_775_808.0))
        #expect(try value("{{ -9223372036854775808 }}") == .double(-9_223_372_036_854_775_808.0))
    }

    @Test func floatLiteralsWithExponents() throws {
        #expect(try value("{{ 1e300 }}") == .double(1e300))
        #expect(try value("{{ 1.5e3 }}") == .double(1500))
        #expect(try value("{{ 2E-3 }}") == .double(0.002))
        #expect(try value("{{ 1_000.5e+1 }}") == .double(10005))
        #expect(try value("{{ 1e999 }}") == .double(.infinity))
        #expect(try Template("{{ 1e300 }}").render(Self.context) == "1e+300")
    }

    @Test func rangeTakesOneToThreeIntegersAndIsBounded() throws {
        #expect(try value("{{ range(5, 0, -2) }}") == .list([.int(5), .int(3), .int(1)]))
        #expect(try value("{{ range(0) }}") == .list([]))
        #expect(try value("{{ range(small, big, big) }}") == .list([.int(Int.min), .int(-1), .int(Int.max - 1)]))
        #expect(try value("{{ range(big, small, small) }}") == .list([.int(Int.max), .int(-1)]))
        expectError("{{ range(big) }}", "range()")
        expectError("{{ range(small, big) }}", "range()")
        expectError("{{ range() }}", "range()")
        expectError("{{ range('a') }}", "range()")
        expectError("{{ range(1, 2, 0) }}", "zero")
    }
}
