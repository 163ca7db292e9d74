import Foundation
import SkiffTestSupport
import Testing

/// `skiff --version` names the release and the git commit the binary was built from.
@Suite("skiff --version", .enabled(if: FileManager.default.fileExists(atPath: ReleasePackage.repository + "/.git")))
struct VersionTests {
    /// The `skiff` binary built beside the test bundle.
    static var skiff: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("skiff").path
    }

    @Test func printsTheVersionAndTheCommitOfTheCheckoutItWasBuiltFrom() throws {
        let printed = try Shell.run([Self.skiff, "--version"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let head = try Shell.run(["git", "-C", ReleasePackage.repository, "rev-parse", "--short=12", "HEAD"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let source = try String(contentsOfFile: ReleasePackage.repository + "/Sources/skiff/Skiff.swift", encoding: .utf8)
        let number = try #require(source.firstMatch(of: /static let number = "([^"]+)"/)?.1)
        #expect(printed == "\(number) (commit \(head))" || printed == "\(number) (commit \(head)-dirty)", "\(printed)")
    }
}
