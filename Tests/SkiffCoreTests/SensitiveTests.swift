import SkiffCore
import Testing

@Suite("secrets never print")
struct SensitiveTests {
    @Test func everyTextualFormIsRedacted() {
        let secret = Sensitive("hunter2")
        #expect("\(secret)" == "[REDACTED]")
        #expect(String(describing: secret) == "[REDACTED]")
        #expect(String(reflecting: secret) == "[REDACTED]")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))

        struct Holder { let user: String; let password: Sensitive<String> }
        let holder = Holder(user: "deploy", password: secret)
        #expect(!"\(holder)".contains("hunter2"))
        #expect("\(holder)".contains("deploy"))
        #expect(secret.revealed == "hunter2")
    }

    @Test func mapKeepsTheValueSecret() {
        let bytes = Sensitive("abc").map { Array($0.utf8) }
        #expect(bytes.revealed == [97, 98, 99])
        #expect("\(bytes)" == "[REDACTED]")
    }
}
