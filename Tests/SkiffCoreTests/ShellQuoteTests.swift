import SkiffCore
import SkiffTestSupport
import Testing

@Suite("one place quotes for the shell")
struct ShellQuoteTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("1.0.1", "1.0.1"),
        ("", "''"),
        ("two words", "'two words'"),
        ("1.0; touch /tmp/pwned", "'1.0; touch /tmp/pwned'"),
        ("it's", #"'it'\''s'"#),
        ("$(id)", "'$(id)'"),
        ("`id`", "'`id`'"),
        ("a\nb", "'a\nb'"),
        ("VERSION=1.2", "VERSION=1.2"),
        ("*", "'*'"),
        ("über", "'über'"),
    ])
    func quotesOneWord(input: String, expected: String) {
        #expect(ShellQuote.quote(input) == expected)
    }

    @Test func joinedArgvSplitsBackExactlyInARealShell() throws {
        let argv = ["printf", "%s|", "a b", "it's", "$HOME", "1.0; touch /tmp/pwned", "", "ü\n✓"]
        let line = ShellQuote.join(argv)
        let output = try runShell("\(line)")
        #expect(output == argv.dropFirst(2).map { $0 + "|" }.joined())
    }

    private func runShell(_ command: String) throws -> String {
        try Shell.run(["/bin/sh", "-c", command])
    }
}
