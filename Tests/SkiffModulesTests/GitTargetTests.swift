@testable import SkiffModules
import Testing

/// Which commit a `version` names, from `git ls-remote --symref`.
@Suite("git versions")
struct GitTargetTests {
    static let listing = """
        ref: refs/heads/main\tHEAD
        aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\tHEAD
        aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\trefs/heads/main
        bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\trefs/heads/release
        cccccccccccccccccccccccccccccccccccccccc\trefs/tags/v1
        dddddddddddddddddddddddddddddddddddddddd\trefs/tags/v1^{}
        """

    @Test func branchesTagsHeadAndCommits() {
        #expect(GitModule.target("HEAD", lsRemote: Self.listing) == .init(commit: String(repeating: "a", count: 40), branch: "main"))
        #expect(GitModule.target("release", lsRemote: Self.listing) == .init(commit: String(repeating: "b", count: 40), branch: "release"))
        #expect(GitModule.target("v1", lsRemote: Self.listing) == .init(commit: String(repeating: "d", count: 40), branch: nil), "an annotated tag's commit")
        #expect(GitModule.target("bbbbbbb", lsRemote: Self.listing) == .init(commit: String(repeating: "b", count: 40), branch: nil))
        #expect(GitModule.target("nosuch", lsRemote: Self.listing) == nil)
    }
}
