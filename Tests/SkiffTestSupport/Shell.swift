import Foundation

/// Runs local helper programs (ssh-keygen, ssh-agent, openssl, sshd) for test fixtures.
///
/// Uses `posix_spawn` and waits for its own child by pid: Foundation's `Process` reaps children
/// from a shared monitor thread that blocks when several long-lived children run at once.
public enum Shell {
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let status: Int32
        public let output: String
        public var description: String { "\(command.joined(separator: " ")) exited \(status): \(output)" }

        public init(command: [String], status: Int32, output: String) {
            self.command = command
            self.status = status
            self.output = output
        }
    }

    /// Runs `argv` (looked up on PATH) and returns its stdout and stderr; throws when it exits non-zero.
    @discardableResult
    public static func run(_ argv: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> String {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        // Pipes are made close-on-exec under the spawn lock, so no other child inherits them
        // (a long-lived sshd holding a write end would keep this read from ever seeing EOF).
        let pid = try spawnLock.withLock {
            guard pipe(&input) == 0, pipe(&output) == 0 else { throw Failure(command: argv, status: errno, output: "pipe") }
            for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return try spawnUnlocked(argv, stdin: input[0], stdout: output[1], stderr: output[1], environment: environment)
        }
        close(input[0])
        close(output[1])
        if let stdin {
            let bytes = Array(stdin.utf8)
            _ = bytes.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        }
        close(input[1])
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            collected += buffer[0..<count]
        }
        close(output[0])
        let status = wait(for: pid)
        let text = String(decoding: collected, as: UTF8.self)
        guard status == 0 else { throw Failure(command: argv, status: status, output: text) }
        return text
    }

    private static let spawnLock = NSLock()

    /// Starts `argv` with the given descriptors (`-1`: /dev/null) and returns its pid.
    public static func spawn(
        _ argv: [String], stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1, environment: [String: String] = [:]
    ) throws -> pid_t {
        try spawnLock.withLock {
            try spawnUnlocked(argv, stdin: stdin, stdout: stdout, stderr: stderr, environment: environment)
        }
    }

    private static func spawnUnlocked(
        _ argv: [String], stdin: Int32, stdout: Int32, stderr: Int32, environment: [String: String]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            if fd >= 0 {
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid = pid_t()
        let status = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard status == 0 else { throw Failure(command: argv, status: status, output: String(cString: strerror(status))) }
        return pid
    }

    /// Waits for `pid` and returns its exit status (128 + signal when killed).
    @discardableResult
    public static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
