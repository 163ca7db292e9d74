import Foundation
import SkiffCore
import SkiffTemplate
import Testing

/// `is directory`, `is file`, `is link`, `is exists`… look at the controller's file system, as in Ansible.
@Suite("path tests")
struct PathTestsTests {
    @Test func pathTestsLookAtTheControllersFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-path-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: "\(directory)/file", contents: Data("x".utf8)))
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/link", withDestinationPath: "\(directory)/file")
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/dangling", withDestinationPath: "\(directory)/none")
        let context = TemplateContext(variables: ["d": .string(directory)])
        func check(_ expression: String) throws -> Value { try Template("{{ \(expression) }}").evaluate(context) }
        #expect(try check("d is directory and d is is_dir and d is exists") == .bool(true))
        #expect(try check("d is file or d is link") == .bool(false))
        #expect(try check("(d ~ '/file') is file and (d ~ '/file') is not directory") == .bool(true))
        #expect(try check("(d ~ '/link') is link and (d ~ '/link') is file") == .bool(true), "a link to a file is both")
        #expect(try check("(d ~ '/file') is link") == .bool(false))
        #expect(try check("(d ~ '/dangling') is exists") == .bool(false), "exists follows links")
        #expect(try check("(d ~ '/dangling') is link_exists") == .bool(true))
        #expect(try check("(d ~ '/none') is exists or (d ~ '/none') is file") == .bool(false))
        #expect(try check("(d ~ '/link') is same_file(d ~ '/file')") == .bool(true))
        #expect(try check("d is abs and 'relative/path' is not abs") == .bool(true))
        #expect(try check("'/' is mount and d is not mount") == .bool(true))
    }
}
