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
        // Written through a close-on-exec descriptor: a test host spawned at this moment by another test
        // must not inherit it, or executing this file (the docker shim) fails with "Text file busy".
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Shell.Failure(command: ["open", target], status: errno, output: "cannot write") }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw Shell.Failure(command: ["write", target], status: errno, output: "short write") }
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
