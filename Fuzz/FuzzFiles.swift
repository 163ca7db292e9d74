import Foundation

/// One private directory per fuzzing process for the file an input is written to.
enum FuzzFiles {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "skiff-fuzz-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func write(_ data: Data, as name: String) -> String {
        let path = directory + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: data)
        return path
    }
}
