#if canImport(Glibc)
import Glibc
#endif

/// Files a run writes when it ends (`--junit`): checked before any host is contacted, so that a path
/// that cannot be written fails the run at once instead of after the deploy.
enum OutputFile {
    /// Why `path` cannot be written, or nil. Leaves an existing file as it is and no new one behind.
    static func problem(_ path: String) -> String? {
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 {
            close(fd)
            unlink(path)
            return nil
        }
        guard errno == EEXIST else { return String(cString: strerror(errno)) }
        fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        close(fd)
        return nil
    }
}
