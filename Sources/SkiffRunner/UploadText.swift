#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
import SkiffModules

extension UploadStep {
    /// The most of an upload the audit log keeps as text.
    static let recordableSize = 64 * 1024

    /// The upload's content when it is text the audit log can keep (UTF-8 without NUL bytes, at most
    /// 64 KiB); nil for binary or larger files, which are recorded by their SHA-256 only.
    func recordableText() -> String? {
        let bytes: [UInt8]
        switch source {
        case .bytes(let content):
            bytes = content.revealed
        case .localFile(let path):
            guard let file = FileReader(path: path), let data = file.read(upToCount: Self.recordableSize + 1) else { return nil }
            bytes = data
        }
        guard bytes.count <= Self.recordableSize, !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
