import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// Where one vault password comes from: a file (its content, surrounding whitespace removed), an
/// executable file (run with no arguments — a "client" script, named `*-client` or `*-client.EXT`, with
/// `--vault-id LABEL` — its standard output, newlines at the ends removed, is the password), or `prompt`
/// (asked on the terminal, echo off).
struct VaultPasswordSource: Equatable {
    static let prompt = "prompt"

    let label: String
    let location: String

    init(label: String, location: String) {
        self.label = label
        self.location = location
    }

    /// `label@source`, or a bare source for the id `default` (`--vault-id prompt`, `--vault-id ./pw`).
    init(identity: String) {
        if let at = identity.firstIndex(of: "@") {
            self.init(label: String(identity[..<at]), location: String(identity[identity.index(after: at)...]))
        } else {
            self.init(label: "default", location: identity)
        }
    }

    func read() throws -> Sensitive<[UInt8]> {
        let password: Sensitive<[UInt8]>
        if location == Self.prompt {
            password = try ask()
        } else {
            let path = location.hasPrefix("~/") ? (Environment.value("HOME") ?? "") + location.dropFirst() : location
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw ValidationError("the vault password file \(location) was not found")
            }
            password = access(path, X_OK) == 0 ? try run(path) : try file(path)
        }
        guard !password.revealed.isEmpty else { throw ValidationError("the vault password from \(describe) is empty") }
        return password
    }

    private var describe: String { location == Self.prompt ? "the prompt (vault id '\(label)')" : location }

    private func file(_ path: String) throws -> Sensitive<[UInt8]> {
        guard let bytes = FileContents.read(path) else { throw ValidationError("cannot read the vault password file \(location)") }
        return Sensitive(Self.trimmed(bytes, whitespace: true))
    }

    /// Runs the script with no arguments, stdin and stderr shared with skiff (a script may ask on the terminal).
    private func run(_ path: String) throws -> Sensitive<[UInt8]> {
        let process: ChildProcess
        do {
            process = try ChildProcess(path, arguments: Self.isClient(path) ? ["--vault-id", label] : [], pipeOutput: true)
        } catch {
            throw ValidationError("cannot run the vault password script \(location): \(String(cString: strerror(error.code)))")
        }
        let bytes = ChildProcess.readAll(process.output)
        let exit = process.wait()
        guard exit == .exited(0) else {
            let status: Int32
            switch exit {
            case .exited(let code): status = code
            case .signaled(let signal): status = signal
            }
            throw ValidationError("the vault password script \(location) failed (exit status \(status))")
        }
        return Sensitive(Self.trimmed(bytes, whitespace: false))
    }

    private func ask() throws -> Sensitive<[UInt8]> {
        guard TerminalQuestion.available else {
            throw ValidationError("a vault password is asked for (\(label == "default" ? "--ask-vault-pass" : "--vault-id \(label)@prompt")), but there is no terminal to ask on")
        }
        let prompt = label == "default" ? "Vault password: " : "Vault password (\(label)): "
        return Sensitive(Self.trimmed(Array((TerminalQuestion.ask(prompt, echo: false) ?? "").utf8), whitespace: true))
    }

    /// A script named `NAME-client` or `NAME-client.EXT` is told which vault id is wanted, as ansible-core
    /// tells it.
    static func isClient(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let stem = name.lastIndex(of: ".").map { name[..<$0] } ?? Substring(name)
        return stem.hasSuffix("-client")
    }

    /// A file's password loses surrounding whitespace; a script's loses the newlines at its ends.
    static func trimmed(_ bytes: [UInt8], whitespace: Bool) -> [UInt8] {
        let strip: (UInt8) -> Bool = whitespace ? { $0 == 0x20 || (0x09...0x0D).contains($0) } : { $0 == 0x0A || $0 == 0x0D }
        return Array(bytes.drop(while: strip).reversed().drop(while: strip).reversed())
    }
}
