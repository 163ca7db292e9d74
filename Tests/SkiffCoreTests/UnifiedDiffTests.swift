import SkiffCore
import Testing

@Suite("unified diff")
struct UnifiedDiffTests {
    @Test func oneChangedLineWithContext() {
        let before = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let after = before.replacingAll("line 5\n", with: "line five\n")
        #expect(UnifiedDiff.render(before: before, after: after, path: "/etc/app.conf") == """
            --- before: /etc/app.conf
            +++ after: /etc/app.conf
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8

            """)
    }

    @Test func newFileAndFarApartChangesMakeSeparateHunks() {
        #expect(UnifiedDiff.render(before: "", after: "a\nb\n", path: "f") == "--- before: f\n+++ after: f\n@@ -0,0 +1,2 @@\n+a\n+b\n")
        let numbers = (1...20).map(String.init)
        var changed = numbers
        changed[1] = "two"
        changed[18] = "nineteen"
        let diff = UnifiedDiff.render(before: numbers.joined(separator: "\n") + "\n", after: changed.joined(separator: "\n") + "\n", path: "f")
        #expect(diff.split(separator: "@@ -").count == 3, "two hunks: \(diff)")
        #expect(diff.contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"), "\(diff)")
        #expect(diff.contains("@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n"), "\(diff)")
    }
}
