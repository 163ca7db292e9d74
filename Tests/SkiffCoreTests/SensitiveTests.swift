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

@Suite("secret names")
struct SecretNamesTests {
    @Test func namesThatLookSecret() {
        for name in ["registry_password", "DB_PASSWD", "api_token", "client_secret", "deploy_key", "ansible_password", "ansible_ssh_pass",
                     "ansible_become_pass", "ApiKey", "ssh_private_key_file"] {
            #expect(SecretNames.looksSecret(name), "\(name)")
        }
        for name in ["version", "registry_url", "keyboard", "compose_project", "tok_path"] {
            #expect(!SecretNames.looksSecret(name), "\(name)")
        }
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
