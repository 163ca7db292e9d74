#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// Numbers formatted as C's printf formats them (`"%.3f"`, `"%02x"`).
    public init(printf format: String, _ arguments: any CVarArg...) {
        let needed = withVaList(arguments) { vsnprintf(nil, 0, format, $0) }
        guard needed > 0 else {
            self = ""
            return
        }
        var buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = buffer.withUnsafeMutableBufferPointer { pointer in
            withVaList(arguments) { vsnprintf(pointer.baseAddress, pointer.count, format, $0) }
        }
        self = String(decoding: buffer.prefix(Int(needed)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
