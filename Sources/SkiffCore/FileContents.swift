#if canImport(Glibc)
import Glibc
#endif

/// A whole file's bytes, without Foundation (ansible.cfg, the audit log and its key).
public enum FileContents {
    /// The bytes, or nil when the file cannot be opened or read (a read error, a directory).
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var total = 0
        while total < bytes.count {
            let got = bytes[total...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return nil }
            if got == 0 { break }
            total += got
        }
        return Array(bytes[..<total])
    }
}
