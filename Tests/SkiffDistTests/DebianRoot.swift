import Foundation
import SkiffTestSupport

/// A clean Debian 12 (bookworm) root, as a fresh server has it: made once with
/// `debootstrap --variant=minbase` from this machine's package mirror and kept in
/// /var/cache/skiff-dist-test/bookworm, so later runs reuse it (delete the directory to make it again).
/// Tests never change it: they run on an overlay of it.
enum DebianRoot {
    static let path = "/var/cache/skiff-dist-test/bookworm"

    /// Whether this machine can make and enter the root: root privileges, debootstrap, unshare.
    static var canBeMade: Bool {
        let made = FileManager.default.fileExists(atPath: path + "/usr/bin/apt-get")
        return getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
            && (made || FileManager.default.isExecutableFile(atPath: "/usr/sbin/debootstrap"))
    }

    /// The root, made first when it is not there yet.
    static func prepared() throws -> String {
        if FileManager.default.fileExists(atPath: path + "/usr/bin/apt-get") { return path }
        // Made beside its final place and renamed, so a failed or concurrent debootstrap never leaves a
        // half-made root behind for the next run.
        let partial = "\(path).partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        do {
            try Shell.run(["/usr/sbin/debootstrap", "--variant=minbase", "bookworm", partial, mirror])
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        if rename(partial, path) != 0 { try? FileManager.default.removeItem(atPath: partial) }
        return path
    }

    /// The Debian mirror apt uses on this machine ($SKIFF_DEBIAN_MIRROR overrides it).
    static var mirror: String {
        if let given = ProcessInfo.processInfo.environment["SKIFF_DEBIAN_MIRROR"], !given.isEmpty { return given }
        let deb822 = (try? String(contentsOfFile: "/etc/apt/sources.list.d/debian.sources", encoding: .utf8)) ?? ""
        for stanza in deb822.components(separatedBy: "\n\n") {
            let fields = stanza.split(separator: "\n").map { $0.split(separator: ":", maxSplits: 1) }
            func field(_ name: String) -> [Substring] {
                fields.first { $0.count == 2 && $0[0] == name }.map { $0[1].split(separator: " ") } ?? []
            }
            if field("Suites").contains("bookworm"), let uri = field("URIs").first { return String(uri) }
        }
        let oneLine = (try? String(contentsOfFile: "/etc/apt/sources.list", encoding: .utf8)) ?? ""
        for line in oneLine.split(separator: "\n") {
            let words = line.split(separator: " ").filter { !$0.hasPrefix("[") && !$0.hasSuffix("]") }
            if words.count >= 3, words[0] == "deb", words[2] == "bookworm" { return String(words[1]) }
        }
        return "http://deb.debian.org/debian"
    }
}
