import OrderedCollections
import SkiffCore
import SkiffModules
import Testing

@Suite("module argv golden tests")
struct ModuleArgvTests {
    let walker = ProgramWalker()

    @Test func commandRunsArgvWithoutAShell() throws {
        var walker = ProgramWalker()
        walker.answers = [("sh -c", ProgramWalker.result(0, stdout: "run\n"))]
        let plan = try CommandModule.plan(.command, arguments(["_raw_params": .string("docker compose -f 'my file.yml' ps"), "chdir": .string("/srv/app")]), environment: [:])
        #expect(walker.commands(plan).last == "cd /srv/app && docker compose -f 'my file.yml' ps")
        let outcome = walker.walk(plan).outcome
        #expect(outcome.changed && !outcome.failed)
        #expect(outcome.result["cmd"] == .list(["docker", "compose", "-f", "my file.yml", "ps"].map(Value.string)))
    }

    @Test func shellRunsItsTextThroughShWithQuotedEnvironment() throws {
        let plan = try CommandModule.plan(.shell, arguments(["_raw_params": .string("docker compose up -d | tee log")]), environment: ["VERSION": "1.0.1"])
        #expect(walker.commands(plan) == ["VERSION=1.0.1 /bin/sh -c 'docker compose up -d | tee log'"])
    }

    @Test func aHostileVersionStaysOneWord() throws {
        // VERSION comes from -e; "1.0; touch /tmp/pwned" must not run touch.
        let hostile = "1.0; touch /tmp/pwned"
        let shell = try CommandModule.plan(.shell, arguments(["_raw_params": .string("docker compose up -d")]), environment: ["VERSION": hostile])
        #expect(walker.commands(shell) == ["VERSION='1.0; touch /tmp/pwned' /bin/sh -c 'docker compose up -d'"])
        let deploy = try ComposeDeployModule.plan(
            arguments(["project": .string("app"), "version": .string(hostile)]), files: ["/ci/docker-compose.yml"],
            runDirectory: "/tmp/skiff-1", environment: [:])
        #expect(walker.commands(deploy).allSatisfy { !$0.contains("VERSION=1.0; touch") })
        #expect(walker.commands(deploy).contains { $0.contains("VERSION='1.0; touch /tmp/pwned'") })
    }

    @Test func aFailingCommandFailsTheTaskWithItsOutput() throws {
        var walker = ProgramWalker()
        walker.answers = [("false", ProgramWalker.result(3, stdout: "out\n", stderr: "bad\n"))]
        let outcome = walker.walk(try CommandModule.plan(.shell, arguments(["_raw_params": .string("false")]), environment: [:])).outcome
        #expect(outcome.failed)
        #expect(outcome.result["rc"] == .int(3))
        #expect(outcome.result["stdout"] == .string("out"))
        #expect(outcome.result["stderr_lines"] == .list([.string("bad")]))
    }

    @Test func rawSendsItsTextAsItIs() throws {
        let plan = try CommandModule.plan(.raw, arguments(["_raw_params": .string("uptime; echo $HOME")]), environment: ["A": "b c"])
        #expect(walker.commands(plan) == ["A='b c' uptime; echo $HOME"])
    }

    @Test func fileStates() throws {
        let absent = walker.commands(try FileModule.plan(arguments(["path": .string("/tmp/docker-compose.yml"), "state": .string("absent")])))
        #expect(absent == ["/bin/sh -c 'if [ -e /tmp/docker-compose.yml ] || [ -L /tmp/docker-compose.yml ]; then rm -rf -- /tmp/docker-compose.yml && echo changed; fi'"])
        var walker = ProgramWalker()
        walker.answers = [("rm -rf", ProgramWalker.result(0, stdout: "changed\n"))]
        #expect(walker.walk(try FileModule.plan(arguments(["path": .string("/x"), "state": .string("absent")]))).outcome.changed)
        let directory = self.walker.commands(try FileModule.plan(arguments(["path": .string("/srv/my app"), "state": .string("directory"), "mode": .string("0750")])))
        #expect(directory.count == 1)
        #expect(directory[0].contains("mkdir -p -- '\\''/srv/my app'\\''"))
        #expect(directory[0].contains("chmod 750"))
        #expect(throws: ModuleError.self) { try FileModule.plan(arguments(["path": .string("/x"), "state": .string("gone")])) }
    }

    @Test func copyUploadsOnlyWhenTheChecksumDiffers() throws {
        let content = "services: {}\n"
        let plan = try CopyModule.plan(arguments(["content": .string(content), "dest": .string("/tmp/docker-compose.yml"), "mode": .string("0640")]), local: nil)
        let fresh = walker.walk(plan)
        #expect(fresh.actions.last == .upload("/tmp/docker-compose.yml", mode: "640"))
        #expect(fresh.outcome.changed)

        let checksum = "a0c6e0b1c8ff56c3d0d5e2c53a51b3c88dd6bbf7a1f4a1a4ad8e6a5bd5c3d2a1"
        let local = CopyModule.LocalFile(path: "/ci/docker-compose.yml", sha256: checksum)
        let same = try CopyModule.plan(arguments(["src": .string("docker-compose.yml"), "dest": .string("/tmp/c.yml"), "mode": .string("0640")]), local: local)
        var walker = ProgramWalker()
        walker.answers = [("sha256sum", ProgramWalker.result(0, stdout: "\(checksum)\n640\n"))]
        let unchanged = walker.walk(same)
        #expect(unchanged.actions.count == 1, "same checksum and mode: no upload")
        #expect(!unchanged.outcome.changed)
        walker.answers = [("sha256sum", ProgramWalker.result(0, stdout: "\(checksum)\n600\n"))]
        let modeOnly = walker.walk(same)
        #expect(modeOnly.actions.count == 2)
        #expect(modeOnly.outcome.changed)
    }

    /// ansible-core 2.19.14 (Fixtures/crosscheck/29 and 31): `force: false` leaves an existing file as it
    /// is (not changed), and without `mode` a rewritten file keeps its mode (0600 stayed 0600).
    @Test func copyWithoutForceOrModeLeavesWhatExists() throws {
        var walker = ProgramWalker()
        walker.answers = [("sha256sum", ProgramWalker.result(0, stdout: "0123abcd\n600\n"))]
        let kept = walker.walk(try CopyModule.plan(arguments(["content": "new\n", "dest": "/srv/app.env", "force": .bool(false)]), local: nil))
        #expect(kept.actions.count == 1 && !kept.outcome.changed, "\(kept.actions)")
        let rewritten = walker.walk(try CopyModule.plan(arguments(["content": "new\n", "dest": "/srv/app.env"]), local: nil))
        #expect(rewritten.actions.last == .upload("/srv/app.env", mode: "600"), "\(rewritten.actions)")
        walker.answers = []
        let fresh = walker.walk(try CopyModule.plan(arguments(["content": "new\n", "dest": "/srv/new.env", "force": .bool(false)]), local: nil))
        #expect(fresh.actions.last == .upload("/srv/new.env", mode: "644"), "a new file is written, force or not")
    }

    @Test func dockerLoginSendsThePasswordOnStdinOnly() throws {
        let password = "s3cr3t-registry-password"
        let plan = try DockerLoginModule.plan(
            arguments(["registry_url": .string("registry.example.com"), "username": .string("ci"), "password": .string(password)]), environment: [:])
        let (actions, outcome) = walker.walk(plan)
        #expect(actions == [.run("docker login registry.example.com --username ci --password-stdin", stdin: password)])
        #expect(!"\(outcome)".contains(password))
        #expect(!outcome.registered.json.contains(password))
        let logout = try DockerLoginModule.plan(arguments(["registry_url": .string("registry.example.com"), "state": .string("absent")]), environment: [:])
        #expect(walker.commands(logout).count == 1 && walker.commands(logout)[0].hasSuffix("; docker logout registry.example.com'"))
        #expect(throws: ModuleError.self) { try DockerLoginModule.plan(arguments(["username": .string("ci")]), environment: [:]) }
    }

    @Test func dockerComposeV2BuildsComposeCommands() throws {
        let plan = try DockerComposeModule.plan(arguments([
            "project_src": .string("/srv/app"), "project_name": .string("app"), "files": .list([.string("docker-compose.yml")]),
            "pull": .string("always"), "remove_orphans": .bool(true), "wait": .bool(true), "wait_timeout": .int(60),
            "services": .list([.string("web")]),
        ]), environment: ["VERSION": "1.0.1"])
        #expect(walker.commands(plan) == [
            "docker compose version",
            "cd /srv/app && VERSION=1.0.1 docker compose -p app -f docker-compose.yml up --detach --pull always --remove-orphans --wait --wait-timeout 60 web",
        ])
        var v1 = ProgramWalker()
        v1.answers = [("compose version", ProgramWalker.result(1))]
        #expect(v1.commands(plan).last?.hasPrefix("cd /srv/app && VERSION=1.0.1 docker-compose -p app") == true, "falls back to docker-compose v1")
        let down = try DockerComposeModule.plan(arguments(["project_src": .string("/srv/app"), "state": .string("absent")]), environment: [:])
        #expect(walker.commands(down).last == "cd /srv/app && docker compose down")
        var changed = ProgramWalker()
        changed.answers = [("up --detach", ProgramWalker.result(0, stderr: " Container app-web-1  Recreated\n Container app-web-1  Started\n"))]
        #expect(changed.walk(plan).outcome.changed)
        #expect(!walker.walk(plan).outcome.changed, "nothing reported: not changed")
    }

    @Test func composeDeployCleansUpWhateverHappens() throws {
        let plan = try ComposeDeployModule.plan(arguments([
            "project": .string("app"), "version": .string("1.0.1"), "registry_url": .string("registry.example.com"),
            "username": .string("ci"), "password": .string("pw"), "remove_orphans": .bool(true),
        ]), files: ["/ci/docker-compose.yml"], runDirectory: "/tmp/skiff-r1", environment: [:])
        let (actions, outcome) = walker.walk(plan)
        let compose = "docker compose -p app -f /tmp/skiff-r1/0-docker-compose.yml"
        guard case .run(let create, _)? = actions.first, case .run(let containers, _)? = actions.dropFirst(4).first else {
            Issue.record("\(actions)")
            return
        }
        #expect(create.hasPrefix("/bin/sh -c 'mkdir -m 700 -- /tmp/skiff-r1 && mkdir -m 700 -- /tmp/skiff-r1/docker || exit 1"))
        #expect(containers.hasPrefix("VERSION=1.0.1 DOCKER_CONFIG=/tmp/skiff-r1/docker /bin/sh -c 'ids=$(\(compose) ps --all -q)"))
        #expect(actions == [
            actions[0],
            .run("VERSION=1.0.1 DOCKER_CONFIG=/tmp/skiff-r1/docker docker compose version", stdin: nil),
            .upload("/tmp/skiff-r1/0-docker-compose.yml", mode: "600"),
            .run("DOCKER_CONFIG=/tmp/skiff-r1/docker docker login registry.example.com --username ci --password-stdin", stdin: "pw"),
            actions[4],
            .run("VERSION=1.0.1 DOCKER_CONFIG=/tmp/skiff-r1/docker \(compose) pull", stdin: nil),
            .run("VERSION=1.0.1 DOCKER_CONFIG=/tmp/skiff-r1/docker \(compose) up --detach --remove-orphans", stdin: nil),
            actions[4],
            .run("DOCKER_CONFIG=/tmp/skiff-r1/docker /bin/sh -c 'docker logout registry.example.com >/dev/null 2>&1 || true'", stdin: nil),
            .run("rm -rf -- /tmp/skiff-r1", stdin: nil),
        ])
        #expect(!outcome.failed)
        #expect(plan.abortCleanup.map(\.commandLine).last == "rm -rf -- /tmp/skiff-r1")

        var failing = ProgramWalker()
        failing.answers = [("up --detach", ProgramWalker.result(1, stderr: "image not found"))]
        let failed = failing.walk(plan)
        #expect(failed.outcome.failed)
        #expect(failed.outcome.message?.contains("image not found") == true)
        #expect(failed.actions.suffix(2) == [
            .run("DOCKER_CONFIG=/tmp/skiff-r1/docker /bin/sh -c 'docker logout registry.example.com >/dev/null 2>&1 || true'", stdin: nil),
            .run("rm -rf -- /tmp/skiff-r1", stdin: nil),
        ], "cleanup runs after a failure")
    }
}

@Suite("inspection modules")
struct InspectionModuleTests {
    @Test func statParsesWhatStatPrints() throws {
        var walker = ProgramWalker()
        walker.answers = [("stat -c", ProgramWalker.result(0, stdout: "mode=640 size=12 uid=0 gid=0 owner=root group=root mtime=1700000000 type=regular file\nchecksum=abc\n"))]
        let outcome = walker.walk(try StatModule.plan(arguments(["path": .string("/etc/app.conf")]))).outcome
        let stat = try #require(outcome.result["stat"]?.dictValue)
        #expect(stat["exists"] == .bool(true))
        #expect(stat["mode"] == .string("0640"))
        #expect(stat["size"] == .int(12))
        #expect(stat["isreg"] == .bool(true))
        #expect(stat["isdir"] == .bool(false))
        #expect(stat["checksum"] == .string("abc"))
        walker.answers = [("stat -c", ProgramWalker.result(0, stdout: "missing\n"))]
        #expect(walker.walk(try StatModule.plan(arguments(["path": .string("/nope")]))).outcome.result["stat"] == .dict(["exists": .bool(false)]))
    }

    @Test func waitForAndSlurpCommands() throws {
        let walker = ProgramWalker()
        let port = walker.commands(try WaitForModule.plan(arguments(["port": .int(8080), "timeout": .int(30)])))
        #expect(port.count == 1)
        #expect(port[0].contains("nc -z -w 1 127.0.0.1 8080"))
        #expect(port[0].contains("+ 30"))
        let path = walker.commands(try WaitForModule.plan(arguments(["path": .string("/tmp/ready"), "search_regex": .string("ok$")])))
        #expect(path[0].contains("grep -Eq -- '\\''ok$'\\'' /tmp/ready"))
        #expect(throws: ModuleError.self) { try WaitForModule.plan(arguments(["port": .int(1), "state": .string("sideways")])) }
        #expect(walker.commands(try SlurpModule.plan(arguments(["src": .string("/etc/hostname")]))) == ["base64 -w 0 -- /etc/hostname"])
    }
}

@Suite("check mode")
struct CheckModeModuleTests {
    @Test func fileAndCopyChangeNothingUnderCheck() throws {
        let walker = ProgramWalker()
        let file = walker.commands(try FileModule.plan(ModuleArguments(["path": .string("/srv/app"), "state": .string("directory"), "mode": .string("0750")], module: "file", checkMode: true)))
        #expect(file.count == 1)
        #expect(!file[0].contains("mkdir"), "no action under --check: \(file[0])")
        #expect(!file[0].contains("chmod"))
        #expect(file[0].contains("echo changed"))
        let copy = walker.walk(try CopyModule.plan(ModuleArguments(["content": .string("x"), "dest": .string("/tmp/c")], module: "copy", checkMode: true), local: nil))
        #expect(!copy.actions.contains { if case .upload = $0 { return true } else { return false } }, "no upload under --check")
        #expect(copy.outcome.changed, "reports that it would change")

        // Same content and mode, other owner: under --check the owner is compared, not changed.
        var same = ProgramWalker()
        let checksum = CopyModule.sha256Hex(Array("x".utf8))
        same.answers = [("sha256sum", ProgramWalker.result(0, stdout: "\(checksum)\n644\n"))]
        let owned = same.commands(try CopyModule.plan(ModuleArguments(["content": .string("x"), "dest": .string("/tmp/c"), "owner": .string("app")], module: "copy", checkMode: true), local: nil))
        #expect(owned.count == 2)
        #expect(!owned[1].contains("chown"), "no chown under --check: \(owned[1])")
    }
}

@Suite("uri")
struct URIModuleTests {
    @Test func curlCommandAndStatusCheck() throws {
        var walker = ProgramWalker()
        let plan = try URIModule.plan(arguments(["url": .string("https://app.example.com/health"), "method": .string("post"),
                                                 "body": .dict(["a": .int(1)]), "body_format": .string("json"), "status_code": .list([.int(200), .int(201)])]))
        let (actions, _) = walker.walk(plan)
        guard case .run(let line, let stdin) = actions[0] else { Issue.record("no command"); return }
        #expect(line.contains("curl -sS -D - -X POST --max-time 30"))
        #expect(line.contains("--data-binary @-"))
        #expect(stdin == #"{"a": 1}"#, "the body goes on stdin")
        walker.answers = [("curl", ProgramWalker.result(0, stdout: "ok\n__skiff_status__201"))]
        #expect(!walker.walk(plan).outcome.failed)
        walker.answers = [("curl", ProgramWalker.result(0, stdout: "no\n__skiff_status__500"))]
        #expect(walker.walk(plan).outcome.failed)
    }

    /// What ansible-core 2.19.14's uri registered for a GET of a JSON file from python's http.server
    /// (recorded on this machine): the same fields, from curl's headers, timing and redirect count.
    @Test func resultFieldsAreAnsibles() throws {
        let plan = try URIModule.plan(arguments(["url": .string("http://127.0.0.1:28181/health.json")], "uri"))
        let curl = "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.7\r\nDate: Mon, 30 Nov 2026 12:50:52 GMT\r\n"
            + "Content-type: application/json\r\nContent-Length: 25\r\nLast-Modified: Mon, 30 Nov 2026 12:50:47 GMT\r\n\r\n"
            + "{\"status\": \"ok\", \"n\": 3}\n\n__skiff_status__200 0.002113 0"
        let outcome = ProgramWalker(answers: [("curl", ProgramWalker.result(0, stdout: curl))]).walk(plan).outcome
        let ansible: [String: Value] = [
            "content_length": "25", "content_type": "application/json", "cookies": .dict([:]), "cookies_string": "",
            "date": "Mon, 30 Nov 2026 12:50:52 GMT", "elapsed": .int(0), "json": .dict(["status": "ok", "n": .int(3)]),
            "last_modified": "Mon, 30 Nov 2026 12:50:47 GMT", "msg": "OK (25 bytes)", "redirected": .bool(false),
            "server": "SimpleHTTP/0.6 Python/3.11.7", "status": .int(200), "url": "http://127.0.0.1:28181/health.json",
        ]
        #expect(!outcome.failed && !outcome.changed)
        #expect(Dictionary(uniqueKeysWithValues: outcome.result.map { ($0.key, $0.value) }) == ansible)

        let redirected = "HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nSet-Cookie: a=1; Path=/\r\n\r\n"
            + "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nSet-Cookie: sid=xyz; HttpOnly\r\n\r\n<h1>gone</h1>\n__skiff_status__404 1.9 1"
        let failed = ProgramWalker(answers: [("curl", ProgramWalker.result(0, stdout: redirected))]).walk(plan).outcome
        #expect(failed.failed && failed.result["redirected"] == .bool(true) && failed.result["elapsed"] == .int(1))
        #expect(failed.result["cookies"] == .dict(["sid": "xyz"]), "the final response's cookies")
        #expect(failed.message == "Status code was 404 and not [200]: HTTP Error 404: Not Found")
    }

    /// ansible-core 2.19.14's uri against python's http.server: GET /sub (a 301 to /sub/) registered
    /// `"url": "http://127.0.0.1:18080/sub/", "redirected": true, "msg": "OK (6 bytes)"`; GET /nothing with
    /// `status_code: [404]` registered `"msg": "HTTP Error 404: File not found"`.
    @Test func uriReportsWhereRedirectsLedAndHTTPErrorsAsAnsible() throws {
        let plan = try URIModule.plan(arguments(["url": .string("http://127.0.0.1:18080/sub"), "status_code": .list([.int(200), .int(404)])], "uri"))
        let redirected = "HTTP/1.0 301 Moved Permanently\r\nLocation: /sub/\r\nContent-Length: 0\r\n\r\n"
            + "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n\n__skiff_status__200 0.001 1 http://127.0.0.1:18080/sub/"
        let followed = ProgramWalker(answers: [("curl", ProgramWalker.result(0, stdout: redirected))]).walk(plan).outcome
        #expect(followed.result["url"] == "http://127.0.0.1:18080/sub/")
        #expect(followed.result["redirected"] == .bool(true))
        #expect(followed.result["msg"] == "OK (6 bytes)")
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nhello\n\n__skiff_status__200 0.001 0 http://127.0.0.1:18080/sub"
        let unknown = ProgramWalker(answers: [("curl", ProgramWalker.result(0, stdout: chunked))]).walk(plan).outcome
        #expect(unknown.result["msg"] == "OK (unknown bytes)", "no Content-Length")
        #expect(unknown.result["url"] == "http://127.0.0.1:18080/sub", "the URL as given when nothing redirected")
        let missing = "HTTP/1.0 404 File not found\r\nContent-Length: 335\r\n\r\n<html/>\n__skiff_status__404 0.001 0 http://127.0.0.1:18080/sub"
        let notFound = ProgramWalker(answers: [("curl", ProgramWalker.result(0, stdout: missing))]).walk(plan).outcome
        #expect(!notFound.failed && notFound.result["msg"] == "HTTP Error 404: File not found")
    }

    @Test func getURLQuotesTheURLAndChecksTheChecksum() throws {
        let walker = ProgramWalker(answers: [("sha256sum", ProgramWalker.result(stdout: "changed abc\n"))])
        let plan = try GetURLModule.plan(arguments(["url": "http://example.com/a b;touch /tmp/pwned", "dest": "/opt/app.tar", "checksum": "sha256:ABC"]))
        let script = walker.commands(plan)[0]
        #expect(script.contains(#"'\''http://example.com/a b;touch /tmp/pwned'\''"#), "the URL is one quoted word: \(script)")
        #expect(script.contains("expected=abc\n"), "checksum compared in lowercase")
        #expect(walker.walk(plan).outcome.changed)
        #expect(throws: ModuleError.self) { try GetURLModule.plan(arguments(["url": "u", "dest": "d", "checksum": "md5:x"])) }
    }
}
