import Foundation

/// The release files `make dist` left in this checkout's dist/.
enum ReleasePackage {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

    /// The newest dist/skiff_*_amd64.deb, if `make dist` ran.
    static var deb: String? {
        let dist = repository + "/dist"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dist)) ?? []
        let packages = names.filter { $0.hasPrefix("skiff_") && $0.hasSuffix("_amd64.deb") }.map { "\(dist)/\($0)" }
        func modified(_ path: String) -> Date {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
        return packages.max { modified($0) < modified($1) }
    }
}
