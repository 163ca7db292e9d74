#if canImport(Glibc)
import Glibc
#endif

/// Small POSIX file helpers for the audit log (no Foundation on the run path).
enum FileIO {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Writes every byte (retrying short writes and EINTR).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// `count` bytes at `offset` (fewer at the end of the file).
    static func read(_ fd: Int32, at offset: off_t, count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let got = buffer[total...].withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset + off_t(total)) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            total += got
        }
        return Array(buffer[..<total])
    }

    /// `mkdir -p` with the given mode for directories it creates.
    static func makeDirectories(_ path: String, mode: mode_t) -> Bool {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST { return false }
        }
        return true
    }

    static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
