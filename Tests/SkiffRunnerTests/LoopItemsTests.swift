import OrderedCollections
import SkiffCore
@testable import SkiffRunner
import SkiffTemplate
import Testing

@Suite("loop items, as Ansible's loop and with_* give them")
struct LoopItemsTests {
    static let location = SourceLocation(file: "play.yml", line: 3, column: 7)
    static let context = TemplateContext(variables: [
        "ports": .dict(["http": .int(80), "https": .int(443)]),
        "names": .list([.string("a"), .list([.string("b"), .string("c")])]),
    ])

    static func items(_ keywords: OrderedDictionary<String, Value>) throws -> [Value]? {
        try LoopItems.resolve(keywords, context, at: location)?.items
    }

    @Test func eachFormGivesAnsiblesItems() throws {
        #expect(try Self.items(["name": .string("no loop")]) == nil)
        #expect(try Self.items(["loop": .string("{{ names }}")]) == [.string("a"), .list([.string("b"), .string("c")])], "loop: as is")
        #expect(try Self.items(["with_items": .string("{{ names }}")]) == [.string("a"), .string("b"), .string("c")], "with_items: one level flattened")
        #expect(try Self.items(["with_items": .string("single")]) == [.string("single")])
        #expect(try Self.items(["with_dict": .string("{{ ports }}")]) == [
            .dict(["key": .string("http"), "value": .int(80)]), .dict(["key": .string("https"), "value": .int(443)]),
        ])
        #expect(try Self.items(["with_indexed_items": .list([.string("x"), .string("y")])]) == [
            .list([.int(0), .string("x")]), .list([.int(1), .string("y")]),
        ])
        #expect(try Self.items(["with_together": .list([.list([.int(1), .int(2)]), .list([.string("a")])])]) == [
            .list([.int(1), .string("a")]), .list([.int(2), .null]),
        ], "with_together pads the shorter list")
        #expect(try Self.items(["with_nested": .list([.list([.int(1), .int(2)]), .list([.string("a"), .string("b")])])]) == [
            .list([.int(1), .string("a")]), .list([.int(1), .string("b")]), .list([.int(2), .string("a")]), .list([.int(2), .string("b")]),
        ])
    }

    @Test func loopControlNamesTheItemAndItsIndex() throws {
        let loop = try #require(try LoopItems.resolve(
            ["loop": .list([.string("x"), .string("y")]), "loop_control": .dict(["loop_var": .string("service"), "index_var": .string("n")])],
            Self.context, at: Self.location))
        #expect(loop.variables(1) == ["service": .string("y"), "n": .int(1)])
    }

    @Test func aLoopThatIsNotAListSaysWhere() throws {
        do {
            _ = try Self.items(["loop": .string("{{ ports }}")])
            Issue.record("a mapping was looped over")
        } catch let error as TemplateError {
            #expect(error.description.hasPrefix("play.yml:3:7: loop needs a list"))
        }
        #expect(throws: TemplateError.self) { try Self.items(["with_dict": .list([.int(1)])]) }
    }
}
