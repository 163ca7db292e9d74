import Foundation
import SkiffTestSupport
import Synchronization
import Testing

/// A target is a multi-user machine: what Skiff stages there belongs to nobody else, and no secret shows
/// on a process list. Checked on real sshd hosts with a local user's attacks.
@Suite("hostile targets")
struct HostileTargetTests {
    /// The owner of the destination's directory plants a symlink where the become user's write used to
    /// go (`DEST.skiff-tmp`): the root-owned file it points to stays as it was.
    @Test func becomeUploadsNeverFollowAPlantedSymlink() async throws {
        let (status, output, fleet) = try await RunnerFeatureTests.run("""
            - hosts: app
              gather_facts: false
              tasks:
                - name: A local user owns the app directory and plants links
                  shell: |
                    mkdir -p /tmp/appdir && chown nobody /tmp/appdir && chmod 755 /tmp/appdir
                    printf 'precious\\n' > /tmp/victim && chmod 600 /tmp/victim
                    ln -s /tmp/victim /tmp/appdir/app.conf.skiff-tmp && chown -h nobody /tmp/appdir/app.conf.skiff-tmp
                - name: Root writes the config
                  copy:
                    content: "new\\n"
                    dest: /tmp/appdir/app.conf
                    mode: "0755"
                  become: true
            """)
        #expect(status == 0, "\(output)")
        let host = fleet.hosts[0]
        #expect(try String(contentsOfFile: host.pathInside("/tmp/victim"), encoding: .utf8) == "precious\n", "the link's target is untouched")
        #expect(try FileManager.default.attributesOfItem(atPath: host.pathInside("/tmp/victim"))[.posixPermissions] as? Int == 0o600)
        let written = try FileManager.default.attributesOfItem(atPath: host.pathInside("/tmp/appdir/app.conf"))
        #expect(written[.posixPermissions] as? Int == 0o755)
        #expect(written[.ownerAccountName] as? String == "root")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/appdir/app.conf"), encoding: .utf8) == "new\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/tmp/appdir")).sorted()
        #expect(left == ["app.conf", "app.conf.skiff-tmp"], "nothing staged is left behind: \(left)")
    }

    /// Environment values, `env:` of compose_deploy and `uri` headers never appear in any process's
    /// command line (world-readable `/proc/PID/cmdline`) while the run goes on, with or without become —
    /// and the commands still get them.
    @Test func secretsNeverShowOnTheTargetsProcessList() async throws {
        let canary = "canary-\(UInt64.random(in: 0 ... .max))"
        let server = try SlowHTTPServer()
        defer { server.stop() }
        let fleet = try await DeployEndToEndTests.fleet(1)
        let host = fleet.hosts[0]
        // A docker that takes its time, so that every call is seen by the poller.
        try host.directory.write("bin/docker", "#!/bin/sh\nsleep 0.5\nenv > /tmp/docker-env-$$\n", mode: 0o755)
        try fleet.files.write("docker-compose.yml", "services: {}\n")
        let playbook = try fleet.files.write("playbook.yml", """
            - hosts: app
              gather_facts: false
              environment:
                API_TOKEN: "\(canary)"
              tasks:
                - name: A command with a secret environment
                  shell: sleep 0.5; printf '%s' "$API_TOKEN" > /tmp/seen
                - name: The same through sudo
                  shell: sleep 0.5; printf '%s' "$API_TOKEN" > /tmp/seen-become
                  become: true
                - name: A health check with a bearer token
                  uri:
                    url: "http://127.0.0.1:\(server.port)/health"
                    headers:
                      Authorization: "Bearer \(canary)"
                - name: Deploy with a secret in env
                  skiff.compose_deploy:
                    project: app
                    version: "1.0.1"
                    files: [docker-compose.yml]
                    env:
                      DB_PASSWORD: "\(canary)"
            """)
        let poller = ProcessListPoller(looking: canary)
        let (status, output) = try await ExecCommandTests.skiff(
            ["-i", fleet.inventory, playbook, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent"],
            environment: ["NO_COLOR": "1"])
        let (seen, scans) = poller.stop()
        #expect(status == 0, "\(output)")
        #expect(scans > 20, "the process list was read while the run went on (\(scans) scans)")
        #expect(seen.isEmpty, "on a command line: \(seen)")
        #expect(try String(contentsOfFile: host.pathInside("/tmp/seen"), encoding: .utf8) == canary)
        #expect(try String(contentsOfFile: host.pathInside("/tmp/seen-become"), encoding: .utf8) == canary)
        #expect(server.requests.contains("Authorization: Bearer \(canary)"), "the header was sent: \(server.requests)")
        let dockerEnvironments = try FileManager.default.contentsOfDirectory(atPath: host.pathInside("/tmp")).filter { $0.hasPrefix("docker-env-") }
        #expect(!dockerEnvironments.isEmpty)
        for file in dockerEnvironments {
            let env = try String(contentsOfFile: host.pathInside("/tmp/\(file)"), encoding: .utf8)
            #expect(env.contains("DB_PASSWORD=\(canary)") && env.contains("VERSION=1.0.1"), "compose got its environment: \(env)")
        }
    }
}

/// Reads every process's command line on this machine (test hosts share it) over and over until stopped,
/// and keeps those that contain a string.
final class ProcessListPoller: @unchecked Sendable {
    private let state = Mutex((stopped: false, seen: Set<String>(), scans: 0))
    private let done = DispatchSemaphore(value: 0)

    init(looking needle: String) {
        Thread.detachNewThread { [self] in
            while !state.withLock({ $0.stopped }) {
                var found: [String] = []
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where entry.first?.isNumber == true {
                    guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
                    let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
                    if line.contains(needle) { found.append(line) }
                }
                state.withLock {
                    $0.seen.formUnion(found)
                    $0.scans += 1
                }
                usleep(2_000)
            }
            done.signal()
        }
    }

    func stop() -> (seen: Set<String>, scans: Int) {
        state.withLock { $0.stopped = true }
        done.wait()
        return state.withLock { ($0.seen, $0.scans) }
    }
}

/// An HTTP server on loopback that records each request and answers 200 after half a second.
final class SlowHTTPServer: @unchecked Sendable {
    let port: Int
    private let pid: pid_t
    private let files: ScratchDirectory

    init() throws {
        files = try ScratchDirectory("http")
        let script = try files.write("server.py", """
            import socket, sys, time
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            s.listen(16)
            open(sys.argv[1] + ".port", "w").write(str(s.getsockname()[1]))
            while True:
                c, _ = s.accept()
                data = c.recv(65536)
                with open(sys.argv[1], "ab") as log:
                    log.write(data)
                time.sleep(0.5)
                c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
                c.close()
            """)
        let log = files.file("requests")
        pid = try Shell.spawn(["python3", script, log])
        var port: Int?
        for _ in 0..<500 where port == nil {
            port = (try? String(contentsOfFile: log + ".port", encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            kill(pid, SIGKILL)
            throw Shell.Failure(command: ["python3", script], status: -1, output: "the HTTP server did not start")
        }
        self.port = port
    }

    var requests: String { (try? String(contentsOfFile: files.file("requests"), encoding: .utf8)) ?? "" }

    func stop() {
        kill(pid, SIGKILL)
        Shell.wait(for: pid)
    }
}

extension HostileTargetTests {
    /// A secret in a templated task name, a multi-line secret with its trailing newline, and values derived
    /// from a secret never reach the console, JSON lines, JUnit or the audit log.
    @Test func secretsAreMaskedInNamesLinesAndDerivedForms() async throws {
        let password = "Zq8-\(UInt64.random(in: 0 ... .max))"
        let keyLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\(UInt64.random(in: 0 ... .max))"
        let playbook = """
            - hosts: app
              gather_facts: false
              vars:
                db_password: "\(password)"
                tls_private_key: "-----BEGIN PRIVATE KEY-----\\n\(keyLine)\\n-----END PRIVATE KEY-----\\n"
              tasks:
                - name: Connect with {{ db_password }}
                  command: "true"
                - name: Derived
                  debug:
                    msg: "{{ db_password | upper }} {{ db_password | b64encode }}"
                - name: The key, as a command prints it
                  command: printf '%s' "{{ tls_private_key }}"
                  register: printed
                - name: Its lines
                  debug:
                    var: printed.stdout_lines
            """
        let fleet = try await DeployEndToEndTests.fleet(1)
        let path = try fleet.files.write("playbook.yml", playbook)
        let junit = fleet.files.file("junit.xml")
        var outputs: [String] = []
        for format in ["human", "json"] {
            let (status, output) = try await ExecCommandTests.skiff(
                ["-i", fleet.inventory, path, "--private-key", fleet.key.privateKeyPath, "--known-hosts", fleet.knownHosts, "--no-agent",
                 "-v", "--output", format, "--junit", junit],
                environment: ["NO_COLOR": "1", "SKIFF_AUDIT_LOG": fleet.files.file("audit.jsonl")])
            #expect(status == 0, "\(output)")
            outputs.append(output)
            outputs.append(try String(contentsOfFile: junit, encoding: .utf8))
        }
        outputs.append(try String(contentsOfFile: fleet.files.file("audit.jsonl"), encoding: .utf8))
        #expect(outputs[0].contains("TASK [Connect with hmac-sha256:"), "the secret shows as its fingerprint: \(outputs[0])")
        let derived = [password, password.uppercased(), Data(password.utf8).base64EncodedString(), keyLine]
        for (index, text) in outputs.enumerated() {
            for form in derived {
                #expect(!text.contains(form), "output \(index) shows \(form): \(text)")
            }
        }
    }
}
