#if canImport(Glibc)
import Glibc
#endif

/// A file read piece by piece (a large upload hashed without holding it whole); closed with it.
public final class FileReader {
    private let descriptor: Int32

    /// Opens `path` for reading; nil when it cannot be opened.
    public init?(path: String) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
    }

    deinit {
        close(descriptor)
    }

    /// Up to `count` bytes, fewer only at the file's end (empty there); nil when reading fails.
    public func read(upToCount count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let got = bytes[total...].withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return nil }
            if got == 0 { break }
            total += got
        }
        return Array(bytes[..<total])
    }
}
