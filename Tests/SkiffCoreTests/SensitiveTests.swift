import Foundation
@testable import SkiffCore
import Synchronization
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

@Suite("secret names")
struct SecretNamesTests {
    @Test func namesThatLookSecret() {
        for name in ["registry_password", "DB_PASSWD", "api_token", "client_secret", "deploy_key", "ansible_password", "ansible_ssh_pass",
                     "ansible_become_pass", "ApiKey", "db_pass", "api_credentials", "admin_pw", "smtp_pw", "oauth_header",
                     "gpg_private", "vault_passphrase", "Authorization"] {
            #expect(SecretNames.looksSecret(name), "\(name)")
        }
        // Where a secret is kept is not secret: errors show key file paths.
        for name in ["version", "registry_url", "keyboard", "compose_project", "tok_path", "ssh_private_key_file",
                     "ansible_ssh_private_key_file", "vault_password_file", "secrets_dir"] {
            #expect(!SecretNames.looksSecret(name), "\(name)")
        }
    }

    @Test func aPlaybookDeclaresMoreSecretNames() {
        let variables: [(key: String, value: Value)] = [
            ("skiff_secret_vars", .list(["database_url"])), ("database_url", "postgres://app:hunter22@db/app"), ("version", "1.0"),
        ]
        #expect(SecretMask.values(in: variables) == ["postgres://app:hunter22@db/app"])
        let asString: [(key: String, value: Value)] = [("skiff_secret_vars", "dsn, other"), ("dsn", "host=db password=x1y2")]
        #expect(SecretMask.values(in: asString) == ["host=db password=x1y2"])
    }

    @Test func maskValuesComeFromSecretNamesAtAnyDepthButNotFromOtherHosts() {
        let variables: [(key: String, value: Value)] = [
            ("registry", .dict(["user": "ci", "password": "p4ssw0rd"])), ("api_token", "tok-123"), ("version", "1.0"),
            ("hostvars", .dict(["other": .dict(["ansible_password": "theirs"])])),
        ]
        let values = SecretMask.values(in: variables)
        #expect(Set(values) == ["p4ssw0rd", "tok-123"])
        #expect(SecretMask(values).apply("login p4ssw0rd tok-123 1.0") == "login ******** ******** 1.0")
    }
}

@Suite("secret masking forms")
struct SecretMaskFormTests {
    static let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nk3f9ZQ2xLw8hT0a1bYkq\n-----END PRIVATE KEY-----\n"

    @Test func aMultiLineSecretIsMaskedLineByLineAndWithoutItsNewline() {
        let mask = SecretMask([Self.key])
        #expect(mask.apply("key: " + Self.key) == "key: ********")
        #expect(mask.apply(String(Self.key.dropLast())) == "********", "the value without its trailing newline")
        let lines = Self.key.split(separator: "\n").map { "\"\($0)\"," }.joined(separator: "\n")
        #expect(!mask.apply(lines).contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"), "stdout_lines shows it a line at a time")
        #expect(!mask.apply(lines).contains("k3f9ZQ2xLw8hT0a1bYkq"))
        let json = "{\"msg\": " + Value.jsonString(Self.key) + "}"
        #expect(json.contains("\\n") && !mask.apply(json).contains("MIIEvQ"), "escaped inside JSON: \(mask.apply(json))")
    }

    @Test func derivedFormsAreMaskedAndStandForTheSecret() {
        let secret = "p4ss-W0rd/x+y"
        let asked = Mutex<Set<String>>([])
        let mask = SecretMask([secret]) { value in
            asked.withLock { _ = $0.insert(value) }
            return "[\(value.count)]"
        }
        for form in ["P4SS-W0RD/X+Y", "p4ss-w0rd/x+y", "cDRzcy1XMHJkL3greQ==", "p4ss-W0rd/x%2By", secret + "\n"] {
            #expect(mask.apply("value=\(form)!").hasPrefix("value=[13]"), "\(form) -> \(mask.apply("value=\(form)!"))")
        }
        #expect(asked.withLock { $0 } == [secret], "every form is replaced with what the secret itself is replaced with")
        #expect(mask.apply("nothing here") == "nothing here")
    }

    @Test func slicesOfASecretAreMasked() {
        let token = "ghp_R2d2C3poXyzzy0123456789abcdef"
        let mask = SecretMask([token])
        #expect(mask.apply("token starts \(token.prefix(12))...") == "token starts ********...")
        #expect(mask.apply("tail: \(token.suffix(9))") == "tail: ********")
        #expect(mask.apply("ghp_R2d ok") == "ghp_R2d ok", "seven bytes of it are no piece")
        let short = SecretMask(["hunter2pass"])
        #expect(short.apply("hunter2p") == "hunter2p", "a secret under 12 bytes is masked whole only")
        let accented = SecretMask(["pässwörd-lång-hemlig"])
        #expect(accented.apply("x wörd-lång y") == "x ******** y", "whole characters: \(accented.apply("x wörd-lång y"))")
    }

    @Test func base64MatchesTheStandardEncoding() {
        for text in ["", "a", "ab", "abc", "abcd", "hello world", "\u{00e9}t\u{00e9}"] {
            #expect(Base64.encode(Array(text.utf8)) == Data(text.utf8).base64EncodedString(), "\(text)")
        }
    }
}
