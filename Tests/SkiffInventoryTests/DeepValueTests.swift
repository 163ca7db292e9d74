import Foundation
import SkiffCore
@testable import SkiffInventory
import Testing

/// Values nested deeper than any inventory needs never overflow the controller's stack (a fuzzed INI line
/// `h x=[[[[…` of 100,000 brackets did).
@Suite("deeply nested values")
struct DeepValueTests {
    @Test func aDeeplyNestedINIValueStaysText() throws {
        let deep = String(repeating: "[", count: 100_000)
        #expect(PythonLiteral.value(of: deep) == .string(deep))
        let nested = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        guard case .list = PythonLiteral.value(of: nested) else { Issue.record("50 levels are still a list"); return }
        let file = NSTemporaryDirectory() + "deep-\(UUID().uuidString).ini"
        try "[app]\nh x=\(deep)\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let inventory = try InventoryLoader().load(sources: [file])
        #expect(inventory.variables(of: "h")["x"] == .string(deep))
    }

    @Test func deeplyNestedJSONIsAnError() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(String(repeating: "[", count: 100_000)) }
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(String(repeating: "{\"a\":", count: 100_000)) }
        #expect((try? JSONParser.parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200))) != nil)
    }
}
