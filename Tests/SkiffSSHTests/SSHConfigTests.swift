import SkiffSSH
import Testing

@Suite("ssh_config and ssh command-line options")
struct SSHConfigTests {
    func resolve(_ text: String, host: String, start: SSHHostSettings = SSHHostSettings()) throws -> SSHHostSettings {
        let config = try SSHConfigFile.parse(text, path: "/home/u/.ssh/config", home: "/home/u")
        var settings = start
        try config.resolve(host: host, localUser: "deployer", into: &settings)
        return settings
    }

    static let config = """
        # production
        Host web?.prod !web9.prod
          HostName %h.internal
          User ops
          Port 2222
          IdentityFile ~/.ssh/prod_ed25519
          IdentitiesOnly yes
          ProxyJump jump@bastion.prod:2200,inner
        Host *.prod
          User nobody
          Port 22
          IdentityFile ~/.ssh/fallback
          StrictHostKeyChecking accept-new
          ConnectTimeout 1m30s
          ServerAliveInterval=20
          UserKnownHostsFile ~/.ssh/known_prod
          ForwardAgent yes
        Match host db*.internal
          User dba
        """

    @Test func firstValueWinsAcrossMatchingBlocks() throws {
        let settings = try resolve(Self.config, host: "web1.prod")
        #expect(settings.hostName == "%h.internal")
        #expect(settings.user == "ops")
        #expect(settings.port == 2222)
        #expect(settings.identityFiles == ["~/.ssh/prod_ed25519", "~/.ssh/fallback"])
        #expect(settings.identitiesOnly == true)
        #expect(settings.proxyJump == [JumpHostSpec(user: "jump", host: "bastion.prod", port: 2200), JumpHostSpec(host: "inner")])
        #expect(settings.strictHostKeyChecking == .acceptNew)
        #expect(settings.connectTimeout == .seconds(90))
        #expect(settings.serverAliveInterval == .seconds(20))
        #expect(settings.userKnownHostsFiles == ["~/.ssh/known_prod"])
    }

    @Test func negatedPatternExcludesAHost() throws {
        let settings = try resolve(Self.config, host: "web9.prod")
        #expect(settings.user == "nobody")
        #expect(settings.port == 22)
        #expect(settings.proxyJump == nil)
    }

    @Test func matchHostSeesTheHostNameSetBefore() throws {
        let settings = try resolve("Host db1\n  HostName db1.internal\nMatch host db*.internal !originalhost db2\n  User dba\n", host: "db1")
        #expect(settings.user == "dba")
        let other = try resolve("Match host db*.internal\n  User dba\n", host: "db1")
        #expect(other.user == nil)
    }

    @Test func commandLineValuesWinOverTheFile() throws {
        var arguments = SSHArguments()
        try arguments.parse("-o Port=2022 -oUser=root -J 'a@b:1' -o 'IdentityFile /k'")
        let settings = try resolve(Self.config, host: "web1.prod", start: arguments.settings)
        #expect(settings.port == 2022)
        #expect(settings.user == "root")
        #expect(settings.proxyJump == [JumpHostSpec(user: "a", host: "b", port: 1)])
        #expect(settings.identityFiles == ["/k", "~/.ssh/prod_ed25519", "~/.ssh/fallback"])
    }

    @Test func malformedLinesAreLocated() {
        let cases: [(String, Int, String)] = [
            ("Host a\n  Port http\n", 2, "Port 'http' is not a port number"),
            ("Host a\n\n  User\n", 3, "User needs a value"),
            ("IdentitiesOnly maybe\n", 1, "IdentitiesOnly must be yes or no, not 'maybe'"),
            ("Match exec \"true\"\n", 1, "Match exec is not supported"),
            ("Host a\n  HostName \"b\n", 2, "unclosed quote"),
            ("Host a\n  ProxyJump a@,b\n", 2, "ProxyJump"),
        ]
        for (text, line, message) in cases {
            do {
                _ = try SSHConfigFile.parse(text, path: "cfg", home: "/h")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.line == line, "\(text)")
                #expect(error.description.hasPrefix("cfg:\(line): "))
                #expect(error.message.contains(message), "\(error)")
            }
        }
    }

    @Test func proxyCommandIsRefusedOnlyWhereItApplies() throws {
        let text = "Host legacy\n  ProxyCommand nc %h %p\n"
        #expect(try resolve(text, host: "web").proxyJump == nil)
        #expect(throws: SSHConfigError(file: "/home/u/.ssh/config", line: 2, "ProxyCommand applies to legacy, and Skiff does not run proxy commands (use ProxyJump)")) {
            try resolve(text, host: "legacy")
        }
    }

    @Test func unknownCommandLineOptionsAreRefused() {
        for text in ["-o ForwardAgent=yes", "-A", "-o ControlMaster=auto", "bastion", "-o Port=99999", "-J"] {
            var arguments = SSHArguments()
            #expect(throws: SSHOptionProblem.self, "\(text)") { try arguments.parse(text) }
        }
        var arguments = SSHArguments()
        #expect((try? arguments.parse("-F /etc/skiff/ssh_config -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null")) != nil)
        #expect(arguments.configFile == "/etc/skiff/ssh_config")
        #expect(arguments.settings.strictHostKeyChecking == .insecureAcceptAnyHostKey)
        #expect(arguments.settings.userKnownHostsFiles == ["/dev/null"])
    }
}
