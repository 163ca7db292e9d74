import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// One command a module wants run on the host: an argv (quoted here, in the one place commands become
/// shell text) or shell text the user wrote, with environment, working directory and stdin.
public struct RemoteStep: Sendable, Equatable {
    public enum Command: Sendable, Equatable {
        /// Words, each quoted: nothing in them is interpreted by a shell.
        case argv([String])
        /// Shell text, run by `/bin/sh -c` (the `shell` module, and module scripts).
        case shell(String)
        /// Text sent as it is to the login shell (the `raw` module).
        case raw(String)
    }

    public var command: Command
    /// Exported for the command; values are quoted, never interpreted, and never on a command line.
    public var environment: OrderedDictionary<String, String>
    public var chdir: String?
    /// Bytes fed to stdin (a password for `docker login --password-stdin`), never on a command line.
    public var stdin: Sensitive<[UInt8]>?

    public init(_ command: Command, environment: OrderedDictionary<String, String> = [:], chdir: String? = nil, stdin: Sensitive<[UInt8]>? = nil) {
        self.command = command
        self.environment = environment
        self.chdir = chdir
        self.stdin = stdin
    }

    /// The command line, without the environment: `cd DIR && COMMAND`.
    public var commandLine: String { line(assignments: []) }

    /// The command as `-vvv` shows it: the environment as `NAME=value` assignments before the command
    /// (what the command runs with, though the values travel on stdin: see `wire`).
    public var shownLine: String { line(assignments: environment.map { "\($0.key)=\(ShellQuote.quote($0.value))" }) }

    private func line(assignments: [String]) -> String {
        var parts: [String] = []
        if let chdir { parts.append("cd \(ShellQuote.quote(chdir)) &&") }
        parts += assignments
        switch command {
        case .argv(let words): parts.append(ShellQuote.join(words))
        case .shell(let text): parts += ["/bin/sh", "-c", ShellQuote.quote(text)]
        case .raw(let text): parts.append(text)
        }
        return parts.joined(separator: " ")
    }

    /// The command line (`wire`'s) is `/bin/sh -c TEXT` alone (shell text with no working directory and no
    /// environment to set up first): a shell may `exec` it rather than run it under another `sh -c` (see
    /// `RemoteCommand.isSimple`). An argv is not: under `sh -c` a missing program is reported as the
    /// shell reports it (`/bin/sh: 1: NAME: not found`), and its `sh -c` already execs the program.
    public var isSimpleCommand: Bool {
        guard chdir == nil, environment.isEmpty, case .shell = command else { return false }
        return true
    }

    /// What a connection sends to the host's shell: the command line and the bytes for its stdin. The
    /// environment is never on the command line (world-readable in `/proc/PID/cmdline`, also through
    /// `sudo`): it is one line of exports on stdin, read and evaluated by the command's shell first
    /// (see `EnvironmentExports`), followed by the step's own stdin.
    public var wire: (commandLine: String, stdin: Sensitive<[UInt8]>?) {
        guard !environment.isEmpty else { return (commandLine, stdin) }
        let input = Array(EnvironmentExports.line(environment).utf8) + [0x0A] + (stdin?.revealed ?? [])
        return (EnvironmentExports.prologue + commandLine, Sensitive(input))
    }
}

/// A file a module wants written on the host, atomically, with a mode.
public struct UploadStep: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case bytes(Sensitive<[UInt8]>)
        case localFile(String)
    }

    public var source: Source
    public var destination: String
    public var mode: UInt32

    public init(_ source: Source, to destination: String, mode: UInt32) {
        self.source = source
        self.destination = destination
        self.mode = mode
    }
}

extension UploadStep {
    /// The SHA-256 of what is uploaded (a local file read in 1 MiB pieces); nil when the file cannot be read.
    public func contentSHA256() -> String? {
        switch source {
        case .bytes(let bytes):
            return CopyModule.sha256Hex(bytes.revealed)
        case .localFile(let path):
            guard let file = FileReader(path: path) else { return nil }
            var hasher = SHA256()
            while let chunk = file.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
            return hasher.finalize().map { String(printf: "%02x", $0) }.joined()
        }
    }
}
