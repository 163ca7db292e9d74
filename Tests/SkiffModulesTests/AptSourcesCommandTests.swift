import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// apt_repository, deb822_repository and apt_key: the edits they decide on, and the commands they send.
@Suite("apt sources and keys")
struct AptSourcesCommandTests {
    /// What the apt_repository probe prints for these files (path, target, mode, size, bytes).
    static func listing(_ files: [(String, String)]) -> String {
        files.map { "\($0.0)\n\($0.0)\n644\n\($0.1.utf8.count)\n\($0.1)" }.joined()
    }

    static func aptRepository(_ values: OrderedDictionary<String, Value>, check: Bool = false, diff: Bool = false) throws -> ModulePlan {
        try AptRepositoryModule.plan(ModuleArguments(AptRepositoryModule.arguments.normalized(values), module: "apt_repository", checkMode: check, diff: diff), ModuleContext())
    }

    static func walker(sources: [(String, String)]) -> ProgramWalker {
        var walker = ProgramWalker()
        walker.answers = [("sources.list.d/*.list", ProgramWalker.result(0, stdout: listing(sources)))]
        return walker
    }

    @Test func aLineIsReadAsAnsibleReadsIt() throws {
        let line = try #require(SourceLine("  #deb  [arch=amd64]   http://x/debian  stable main # mine\n"))
        #expect(line.valid && !line.enabled && line.source == "deb [arch=amd64] http://x/debian stable main" && line.comment == "mine")
        #expect(line.text == "# deb [arch=amd64] http://x/debian stable main # mine\n")
        #expect(SourceLine("# just a comment")?.valid == false)
    }

    @Test func theFileNameComesFromTheURIAsAnsibleMakesIt() {
        #expect(AptRepositoryModule.suggestedFilename("deb http://dl.google.com/linux/chrome/deb/ stable main") == "dl_google_com_linux_chrome_deb.list")
        #expect(AptRepositoryModule.suggestedFilename("deb [arch=amd64 signed-by=/k.asc] https://user:pw@download.docker.com/linux/debian bookworm stable")
            == "download_docker_com_linux_debian.list")
    }

    @Test func aNewSourceGoesToItsOwnFileThenTheCacheIsUpdated() throws {
        let repo = "deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable"
        let plan = try Self.aptRepository(["repo": .string(repo)])
        let (actions, outcome) = Self.walker(sources: [("/etc/apt/sources.list", "deb http://deb.debian.org/debian bookworm main\n")]).walk(plan)
        #expect(Array(actions.dropFirst()) == [
            .upload("/etc/apt/sources.list.d/download_docker_com_linux_debian.list", mode: "644"),
            .run("DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true apt-get update", stdin: nil),
        ])
        #expect(outcome.changed)
        #expect(outcome.result["sources_added"] == .list([.string("/etc/apt/sources.list.d/download_docker_com_linux_debian.list")]))
    }

    @Test func aSourceThatIsThereWithOtherSpacingIsOk() throws {
        let plan = try Self.aptRepository(["repo": .string("deb http://x/debian stable main"), "filename": .string("x")])
        let (actions, outcome) = Self.walker(sources: [("/etc/apt/sources.list.d/other.list", "deb   http://x/debian  stable main\n")]).walk(plan)
        #expect(actions.count == 1 && !outcome.changed)
    }

    @Test func aCommentedOutSourceIsEnabledInItsFileAndCheckModeOnlySaysSo() throws {
        let sources = [("/etc/apt/sources.list.d/x.list", "# a comment\n#deb http://x/debian stable main\n")]
        let check = try Self.aptRepository(["repo": .string("deb http://x/debian stable main"), "update_cache": .bool(false)], check: true, diff: true)
        let (actions, outcome) = Self.walker(sources: sources).walk(check)
        #expect(actions.count == 1 && outcome.changed)
        #expect(outcome.diff?.contains("-#deb http://x/debian stable main\n+deb http://x/debian stable main") == true, "\(outcome.diff ?? "")")
        let changes = SourcesFiles(files: [.init(path: sources[0].0, target: sources[0].0, mode: 0o600, text: sources[0].1)])
            .adding("deb http://x/debian stable main", newFile: "/etc/apt/sources.list.d/new.list", mode: nil)
        #expect(changes == [.init(path: sources[0].0, target: sources[0].0, mode: 0o600, before: sources[0].1, after: "# a comment\ndeb http://x/debian stable main\n")])
    }

    @Test func absentRemovesEveryEnabledCopyAndAFileLeftEmpty() throws {
        let files = SourcesFiles(files: [
            .init(path: "/etc/apt/sources.list", target: "/etc/apt/sources.list", mode: 0o644, text: "deb http://a/ x main\ndeb http://x/ s main\n"),
            .init(path: "/etc/apt/sources.list.d/x.list", target: "/srv/x.list", mode: 0o644, text: "deb http://x/ s main\n"),
        ])
        let changes = files.removing("deb http://x/ s main")
        #expect(changes.map(\.after) == ["deb http://a/ x main\n", nil])
        #expect(changes.map(\.target) == ["/etc/apt/sources.list", "/srv/x.list"])
    }

    @Test func aFailedUpdatePutsTheFilesBack() throws {
        let plan = try Self.aptRepository(["repo": .string("deb http://nowhere/ s main"), "filename": .string("nowhere"), "update_cache_retries": .int(2)])
        var walker = Self.walker(sources: [])
        walker.answers.append(("apt-get update", ProgramWalker.result(0, stderr: "W: Failed to fetch http://nowhere/dists/s/InRelease\n")))
        let (actions, outcome) = walker.walk(plan)
        #expect(Array(actions.dropFirst()) == [
            .upload("/etc/apt/sources.list.d/nowhere.list", mode: "644"),
            .run("DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true apt-get update", stdin: nil),
            .run("sleep 1", stdin: nil),
            .run("DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true apt-get update", stdin: nil),
            .run("rm -f -- /etc/apt/sources.list.d/nowhere.list", stdin: nil),
        ])
        #expect(outcome.failed && outcome.message?.hasPrefix("Failed to update apt cache: W: Failed to fetch") == true)
    }

    @Test func ppaAndInvalidLinesAreRefused() {
        #expect(throws: ModuleError.self) { try Self.aptRepository(["repo": .string("ppa:nginx/stable")]) }
        #expect(throws: ModuleError.self) { try Self.aptRepository(["repo": .string("http://x/ s main")]) }
        #expect(throws: ModuleError.self) { try Self.aptRepository(["repo": .string("deb http://x/ s main"), "filename": .string("../x")]) }
    }

    // MARK: deb822_repository

    static func deb822(_ values: OrderedDictionary<String, Value>) -> ModuleArguments {
        ModuleArguments(Deb822RepositoryModule.arguments.normalized(values), module: "deb822_repository")
    }

    @Test func theSourcesFileHasAnsiblesFieldsAndOrder() {
        let key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEYCQjIxYJ\n=IE0r\n-----END PGP PUBLIC KEY BLOCK-----\n"
        let arguments = Self.deb822([
            "name": .string("docker"), "uris": .string("https://download.docker.com/linux/debian"), "suites": .list([.string("bookworm")]),
            "components": .list([.string("stable"), .string("extra")]), "architectures": .string("amd64"), "enabled": .bool(true),
            "signed_by": .string(key), "mode": .string("0644"),
        ])
        #expect(Deb822RepositoryModule.render(arguments, types: ["deb"], signedBy: key) == """
            Architectures: amd64
            Components: stable extra
            Enabled: yes
            X-Repolib-Name: docker
            Signed-By:
                -----BEGIN PGP PUBLIC KEY BLOCK-----
                .
                mDMEYCQjIxYJ
                =IE0r
                -----END PGP PUBLIC KEY BLOCK-----
            Suites: bookworm
            Types: deb
            URIs: https://download.docker.com/linux/debian

            """)
        #expect(Deb822RepositoryModule.fieldName("allow_downgrade_to_insecure") == "Allow-Downgrade-To-Insecure")
        #expect(Deb822RepositoryModule.legacySlug("My_Repo v2!") == "my-repo-v2")
    }

    @Test func aURLKeyIsDownloadedToTheKeyringsDirectoryAndTheFileWrittenOnce() throws {
        let arguments = Self.deb822(["name": .string("docker"), "uris": .string("https://d/x"), "suites": .string("bookworm"),
                                     "signed_by": .string("https://d/gpg")])
        let plan = try Deb822RepositoryModule.plan(arguments, ModuleContext())
        var walker = ProgramWalker()
        walker.answers = [
            ("echo legacy", ProgramWalker.result(0, stdout: "new\ntext\n")),
            ("curl -fsSL", ProgramWalker.result(0, stdout: "/etc/apt/keyrings/docker.asc\nchanged\n")),
            ("__skiff_missing__", ProgramWalker.result(0, stdout: "__skiff_missing__\n")),
        ]
        let (actions, outcome) = walker.walk(plan)
        #expect(actions.last == .upload("/etc/apt/sources.list.d/docker.sources", mode: "644"))
        #expect(outcome.changed && outcome.result["key_filename"] == .string("/etc/apt/keyrings/docker.asc"))
        #expect(outcome.result["repo"]?.text.contains("Signed-By: /etc/apt/keyrings/docker.asc\n") == true)
        // The same file with the same mode is there, the key unchanged: ok, nothing written.
        let content = Deb822RepositoryModule.render(arguments, types: ["deb"], signedBy: "/etc/apt/keyrings/docker.asc")
        walker.answers[1] = ("curl -fsSL", ProgramWalker.result(0, stdout: "/etc/apt/keyrings/docker.asc\nok\n"))
        walker.answers[2] = ("__skiff_missing__", ProgramWalker.result(0, stdout: "644\n" + content))
        let (again, unchanged) = walker.walk(plan)
        #expect(!unchanged.changed && !again.contains { if case .upload = $0 { true } else { false } })
    }

    // MARK: apt_key

    /// An ed25519 key with a cv25519 subkey, made for these tests with gpg, which lists it as
    /// pub 5D270731F788DBE5 (fingerprint D57E2592D614AA8E5222D25C5D270731F788DBE5), sub 3A807051D2F1A590.
    static let testKey = """
        -----BEGIN PGP PUBLIC KEY BLOCK-----

        mDMEaw2toBYJKwYBBAHaRw8BAQdAgvcyk025QTQN9tUYC5v7D2/KfFwlyadaGOTd
        LlEp9TS0IlNraWZmIHRlc3Qga2V5IDx0ZXN0c0BleGFtcGxlLmNvbT6IkAQTFggA
        OBYhBNV+JZLWFKqOUiLSXF0nBzH3iNvlBQJrDa2gAhsDBQsJCAcCBhUKCQgLAgQW
        AgMBAh4BAheAAAoJEF0nBzH3iNvlUgEBAMZlW8RfqGvbLRVRHm8F6IVFR4QoBAaE
        Yy+XXIZW9m7/AQC2749FcarNl5fWHj4iSm1JNWUmQ7wHx79S0YI+ebFrCLg4BGsN
        raASCisGAQQBl1UBBQEBB0DyHKnO0d0G1XvyIAYOVk0bo7hV2XBl0w6knnGmaftb
        TgMBCAeIeAQYFggAIBYhBNV+JZLWFKqOUiLSXF0nBzH3iNvlBQJrDa2gAhsMAAoJ
        EF0nBzH3iNvl4CgBAMebmtzfPiGyDtYoKOSTW6UEygwwJr+xG4AFx3AJYrf8AP48
        ZlZ4UK3PeF6Nk6dd6dAA/1HHCWO1vCBnjOwbPm1iCQ==
        =FYYR
        -----END PGP PUBLIC KEY BLOCK-----

        """

    @Test func keysAreReadWithTheirFingerprintsAndWrittenBackTheSame() throws {
        let keyring = OpenPGPKeyring(Array(Self.testKey.utf8))
        let key = try #require(keyring.keys.first)
        #expect(keyring.keys.count == 1)
        #expect(key.fingerprints == ["D57E2592D614AA8E5222D25C5D270731F788DBE5", "21791D29C959C40E07361B0F3A807051D2F1A590"])
        #expect(key.keyIDs == ["5D270731F788DBE5", "3A807051D2F1A590"])
        #expect(key.matches("F788DBE5") && key.matches("3A807051D2F1A590") && key.matches("D57E2592D614AA8E5222D25C5D270731F788DBE5"))
        #expect(!key.matches("0000000000000000"))
        #expect(OpenPGPKeyring(keyring.binary) == keyring)
        #expect(OpenPGPKeyring(Array(keyring.armored.utf8)) == keyring)
        #expect(OpenPGPKeyring(Array(Self.testKey.replacingAll("\n", with: "\r\n").utf8)) == keyring, "CRLF line ends")
        #expect(keyring.armored.contains("\n=FYYR\n"), "the armor's CRC-24 is the one gpg wrote")
        // Cut short or garbage: no key, no crash.
        #expect(OpenPGPKeyring(Array(keyring.binary.prefix(20))).keys.isEmpty)
        #expect(OpenPGPKeyring([0xff, 0xff, 0xff]).keys.isEmpty)
    }

    static func aptKey(_ values: OrderedDictionary<String, Value>, check: Bool = false) throws -> ModulePlan {
        try AptKeyModule.plan(ModuleArguments(AptKeyModule.arguments.normalized(values), module: "apt_key", checkMode: check), ModuleContext())
    }

    @Test func aNewKeyGetsItsOwnFileInTrustedGpgDAndAKnownOneIsOk() throws {
        var walker = ProgramWalker()
        walker.answers = [("trusted.gpg.d/*.gpg", ProgramWalker.result(0, stdout: ""))]
        let plan = try Self.aptKey(["data": .string(Self.testKey)])
        let (actions, outcome) = walker.walk(plan)
        #expect(Array(actions.dropFirst()) == [.upload("/etc/apt/trusted.gpg.d/5D270731F788DBE5.gpg", mode: "644")])
        #expect(outcome.changed && outcome.result["fp"] == .string("5D270731F788DBE5") && outcome.result["short_id"] == .string("F788DBE5"))
        let binary = OpenPGPKeyring(Array(Self.testKey.utf8)).binary
        var held = ProgramWalker()
        // Binary bytes do not survive a String round trip: they are fed as bytes.
        held.answers = [("trusted.gpg.d/*.gpg", CommandResult(termination: .exited(0), stdout: Array("/etc/apt/trusted.gpg.d/k.gpg\n\(binary.count)\n".utf8) + binary, stderr: [], duration: .milliseconds(1)))]
        let (again, known) = held.walk(plan)
        #expect(again.count == 1 && !known.changed)
        let byID = try Self.aptKey(["id": .string("0x5d270731f788dbe5"), "url": .string("https://x/key.asc")])
        let (noDownload, ok) = held.walk(byID)
        #expect(noDownload.count == 1 && !ok.changed, "a key that is there is not downloaded")
        let (checkActions, checked) = walker.walk(try Self.aptKey(["id": .string("5D270731F788DBE5"), "url": .string("https://x/key.asc")], check: true))
        #expect(checkActions.count == 1 && checked.changed)
        let absent = try Self.aptKey(["id": .string("F788DBE5"), "state": .string("absent")])
        let (removal, removed) = held.walk(absent)
        #expect(Array(removal.dropFirst()) == [.run("rm -f -- /etc/apt/trusted.gpg.d/k.gpg", stdin: nil)] && removed.changed)
        #expect(throws: ModuleError.self) { try Self.aptKey(["state": .string("absent")]) }
        #expect(throws: ModuleError.self) { try Self.aptKey(["id": .string("12345"), "data": .string("x")]) }
        let toKeyring = try Self.aptKey(["data": .string(Self.testKey), "keyring": .string("/etc/apt/keyrings/test.asc")])
        let (keyringActions, _) = walker.walk(toKeyring)
        #expect(keyringActions.first == .run("sh -c " + ShellQuote.quote(AptKeyModule.probe) + " sh /etc/apt/keyrings/test.asc", stdin: nil))
        #expect(keyringActions.last == .upload("/etc/apt/keyrings/test.asc", mode: "644"))
        #expect(throws: ModuleError.self) { try Self.aptKey(["data": .string(Self.testKey), "keyring": .string("trusted.gpg")]) }
        var fetched = ProgramWalker()
        fetched.answers = [("trusted.gpg.d/*.gpg", ProgramWalker.result(0, stdout: ""))]
        let insecure = try Self.aptKey(["url": .string("https://x/key.asc"), "validate_certs": .bool(false)])
        #expect(fetched.commands(insecure).last?.contains("curl -fsSL --insecure --max-time 30") == true)
        #expect(AptKeyModule.keyserverURL("hkp://keyserver.ubuntu.com", id: "ABCD1234")
            == "http://keyserver.ubuntu.com:11371/pks/lookup?op=get&options=mr&search=0xABCD1234")
    }
}
