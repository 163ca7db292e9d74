import Foundation

/// Python's http.server on loopback serving a directory, on a port the kernel picks when it binds (a port
/// chosen beforehand can be taken by another test's sshd before the server binds it). Stopped when the
/// test is done.
public final class StaticHTTPServer: @unchecked Sendable {
    public let port: Int
    private let pid: pid_t
    private var stopped = false

    public init(directory: String) throws {
        let portFile = directory + "/.server-port"
        let script = """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            open(sys.argv[2], "w").write(str(server.server_port))
            server.serve_forever()
            """
        pid = try Shell.spawn(["python3", "-c", script, directory, portFile])
        var port: Int?
        for _ in 0..<3000 where port == nil {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            kill(pid, SIGKILL)
            Shell.wait(for: pid)
            throw Shell.Failure(command: ["python3", "http.server"], status: -1, output: "the HTTP server did not start within 30 s")
        }
        self.port = port
    }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGKILL)
        Shell.wait(for: pid)
    }

    deinit { stop() }
}
