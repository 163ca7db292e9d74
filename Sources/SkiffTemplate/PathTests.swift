#if canImport(Glibc)
import Glibc
#endif
import SkiffCore

/// The Jinja tests on paths of the controller, as Ansible has them (`path is directory`, `is file`,
/// `is link`, `is exists`, `is link_exists`, `is abs`, `is same_file(other)`, `is mount`, and their
/// `is_*` spellings). A relative path is relative to the directory Skiff was started in; `~` is not
/// expanded (as in Ansible). They look at the controller, never at the host.
enum PathTests {
    static let names: Set<String> = [
        "directory", "is_dir", "file", "is_file", "link", "is_link", "exists", "link_exists", "abs", "is_abs",
        "same_file", "is_same_file", "mount", "is_mount",
    ]

    static func apply(_ name: String, to path: String, argument: Value?) throws -> Bool {
        switch name {
        case "directory", "is_dir": return status(path)?.isDirectory ?? false
        case "file", "is_file": return status(path)?.isRegularFile ?? false
        case "link", "is_link": return linkStatus(path)?.isSymbolicLink ?? false
        case "exists": return status(path) != nil
        case "link_exists": return linkStatus(path) != nil
        case "abs", "is_abs": return path.hasPrefix("/")
        case "same_file", "is_same_file":
            let other = try argument?.renderedChecked() ?? ""
            guard let first = status(path), let second = status(other) else {
                throw TemplateError("the 'same_file' test needs two existing paths: '\(path)', '\(other)'")
            }
            return first.device == second.device && first.inode == second.inode
        case "mount", "is_mount":
            guard let here = linkStatus(path), !here.isSymbolicLink else { return false }
            guard let parent = status(path.hasSuffix("/") ? path + ".." : path + "/..") else { return false }
            return here.device != parent.device || here.inode == parent.inode
        default: throw TemplateError("no test named '\(name)'")
        }
    }

    private struct Status {
        let mode: mode_t
        let device: UInt64
        let inode: UInt64
        var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
        var isRegularFile: Bool { mode & S_IFMT == S_IFREG }
        var isSymbolicLink: Bool { mode & S_IFMT == S_IFLNK }
    }

    /// What the path names, links followed; nil when nothing is there (or the path holds a NUL byte).
    private static func status(_ path: String) -> Status? { read(path, following: true) }

    private static func linkStatus(_ path: String) -> Status? { read(path, following: false) }

    private static func read(_ path: String, following: Bool) -> Status? {
        guard !path.isEmpty, !path.utf8.contains(0) else { return nil }
        var info = stat()
        let result = following ? stat(path, &info) : lstat(path, &info)
        guard result == 0 else { return nil }
        return Status(mode: info.st_mode, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
