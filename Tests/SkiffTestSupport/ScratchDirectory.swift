import Foundation

/// A fresh directory for one test's files, outside `/tmp` (test hosts mount a private `/tmp`).
public final class ScratchDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String) throws {
        let base = ProcessInfo.processInfo.environment["SKIFF_TEST_DIR"] ?? "/var/tmp/skiff-tests"
        path = "\(base)/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    @discardableResult
    public func write(_ name: String, _ contents: String, mode: Int = 0o644) throws -> String {
        let target = file(name)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
