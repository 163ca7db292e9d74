import Foundation
import SkiffCore
@testable import SkiffInventory
import Testing

/// Skiff's reading of the fixture inventories against ansible-core's, recorded in Fixtures/expected/
/// by scripts/crosscheck-ansible (`ansible-inventory --list`/`--graph`, `ansible PATTERN --list-hosts`).
@Suite("inventories read as ansible reads them")
struct GoldenInventoryTests {
    static let fixtures = Bundle.module.resourcePath! + "/Fixtures"

    static var validSources: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        return names.filter { ($0.hasSuffix(".ini") || $0.hasSuffix(".yml")) && !$0.hasPrefix("invalid-") }.sorted()
            + ["with-vars"]
    }

    static var invalidSources: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        return names.filter { $0.hasPrefix("invalid-") }.sorted()
    }

    static func expected(_ name: String) throws -> String {
        try String(contentsOfFile: "\(fixtures)/expected/\(name)", encoding: .utf8)
    }

    static func load(_ source: String) throws -> Inventory {
        try InventoryLoader().load(sources: ["\(fixtures)/\(source)"])
    }

    @Test func thereAreEnoughFixtures() {
        #expect(Self.validSources.count + Self.invalidSources.count >= 20)
    }

    @Test(arguments: validSources)
    func listMatchesAnsibleInventory(source: String) throws {
        let listing = InventoryListing.list(try Self.load(source)).json
        let ours = try JSONSerialization.jsonObject(with: Data(listing.utf8))
        let theirs = try JSONSerialization.jsonObject(with: Data(try Self.expected("\(source).list.json").utf8))
        #expect((ours as? NSDictionary) == (theirs as? NSDictionary), "\(source): \(listing)")
    }

    @Test(arguments: validSources)
    func graphMatchesAnsibleInventory(source: String) throws {
        let ours = InventoryListing.graph(try Self.load(source))
        #expect(ours + "\n" == (try Self.expected("\(source).graph.txt")))
    }

    @Test func patternsSelectWhatAnsibleSelects() throws {
        let lines = try Self.expected("patterns.txt").split(separator: "\n")
        #expect(lines.count >= 20)
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let inventory = try Self.load(fields[0])
            let selected = try HostPattern.select(fields[1], in: inventory)
            #expect(selected.joined(separator: ",") == fields[2], "pattern '\(fields[1])' on \(fields[0])")
        }
    }

    @Test(arguments: invalidSources)
    func invalidInventoriesAreRefusedWithFileLineAndColumn(source: String) throws {
        let expected = try Self.expected("\(source).error").trimmingCharacters(in: .newlines)
        do {
            _ = try Self.load(source)
            Issue.record("\(source) was accepted")
        } catch let error as InventoryError {
            let shown = error.description.replacingOccurrences(of: Self.fixtures + "/", with: "FIXTURES/")
            #expect(shown == expected)
            #expect(error.location?.line ?? 0 > 0)
        }
    }
}
