#if canImport(Glibc)
import Glibc
#endif

/// Keeps the binary's untouched code out of memory. The kernel maps file pages around every page fault
/// (64 KiB by default), and Skiff's static binary spreads the code one run touches over a 20 MB text
/// segment: most of the resident set was neighbours of needed pages. `MADV_RANDOM` on the executable's own
/// mappings turns that read-around off for them; pages then come in one at a time, as they are used.
enum ResidentMemory {
    /// Each host holds one connection (a socket and a wake-up pipe: 3 descriptors) for the whole run; the
    /// usual soft limit of 1,024 open files would stop a run at about 340 hosts. Raise it to the hard limit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    static func limitReadAround() {
        guard let maps = fopen("/proc/self/maps", "r") else { return }
        defer { fclose(maps) }
        var executable = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &executable, executable.count - 1)
        guard length > 0 else { return }
        let path = String(decoding: executable[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), maps) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasSuffix(path + "\n") || text.hasSuffix(path) else { continue }
            let range = text.prefix { $0 != " " }.split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) else { continue }
            _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_RANDOM)
        }
    }
}
