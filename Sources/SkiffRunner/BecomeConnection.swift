import SkiffCore
import SkiffModules
import Synchronization

/// Who a task runs as when it uses `become`: a user, and the sudo password when one was given (`-K`).
public struct Become: Sendable {
    public var user: String
    public var password: Sensitive<String>?

    public init(user: String = "root", password: Sensitive<String>? = nil) {
        self.user = user
        self.password = password
    }
}

/// Hosts where `sudo -n` asked for a password: their later steps go straight to `sudo -S`.
final class SudoPasswordHosts: Sendable {
    private let hosts = Mutex<Set<String>>([])

    func contains(_ host: String) -> Bool { hosts.withLock { $0.contains(host) } }
    func insert(_ host: String) { hosts.withLock { _ = $0.insert(host) } }
}

/// Runs every step through `sudo -u USER` on the host (Ansible's `become`, method sudo).
///
/// First `sudo -n` (never prompts): with passwordless sudo that is all. When sudo says it needs a password
/// and the run has one (`-K`), the step runs again — sudo refused before running anything — as
/// `sudo -k -S -p ''` with the password as the first line of stdin; `-k` makes sudo read it even when
/// it has cached credentials, so the password can never flow on into the command's own stdin. Without a
/// password the task fails with what to do. The password is never on a command line.
struct BecomeConnection: HostConnection {
    let base: any HostConnection
    let host: String
    let become: Become
    let passwordHosts: SudoPasswordHosts

    static let passwordRequired = "sudo: a password is required"

    func run(_ step: RemoteStep, timeout: Duration?) async throws -> CommandResult {
        let wire = step.wire
        return try await runAsUser(shellText: wire.commandLine, stdin: wire.stdin?.revealed ?? [], timeout: timeout)
    }

    /// The file goes to a private temporary file as the login user, then the become user writes it into
    /// place from that file on its stdin — so no other user ever needs to read the temporary file. The
    /// become user's write is `StagedWrite`'s: a random temporary name created exclusively, never through a
    /// symlink that the owner of the destination's directory could plant, then renamed into place.
    func upload(_ step: UploadStep) async throws {
        let temporary = "/tmp/.skiff-become-\(RandomToken.hex64())"
        var staged = step
        staged.destination = temporary
        staged.mode = 0o600
        try await base.upload(staged)
        let install = StagedWrite.script(
            destination: step.destination, mode: step.mode, temporary: StagedWrite.temporaryName(for: step.destination), producer: "cat")
        let result: CommandResult
        do {
            result = try await runAsUser(shellText: install, stdin: [], timeout: nil, stdinFile: temporary)
        } catch {
            _ = try? await base.run(RemoteStep(.argv(["rm", "-f", "--", temporary])), timeout: .seconds(30))
            throw error
        }
        _ = try await base.run(RemoteStep(.argv(["rm", "-f", "--", temporary])), timeout: .seconds(30))
        guard result.succeeded else {
            throw ModuleError("could not write \(step.destination) as \(become.user): \(result.stderrText.trimmingWhitespaceAndNewlines())")
        }
    }

    func close() async { await base.close() }

    /// - Parameter stdinFile: a file on the host fed to the command's stdin (after the password line).
    private func runAsUser(shellText: String, stdin: [UInt8], timeout: Duration?, stdinFile: String? = nil) async throws -> CommandResult {
        let inner = ["-H", "-u", become.user, "--", "/bin/sh", "-c", shellText]
        if !passwordHosts.contains(host) {
            let plain = ShellQuote.join(["sudo", "-n"] + inner) + (stdinFile.map { " < " + ShellQuote.quote($0) } ?? "")
            let result = try await base.run(RemoteStep(.shell(plain), stdin: stdin.isEmpty ? nil : Sensitive(stdin)), timeout: timeout)
            guard result.exitStatus == 1, result.stderrText.hasPrefix(Self.passwordRequired) else { return result }
            guard become.password != nil else {
                throw ModuleError("""
                    become: sudo on \(host) needs a password to run as \(become.user); give it with -K/--ask-become-pass \
                    (or $SKIFF_BECOME_PASSWORD), or allow the login user NOPASSWD in sudoers
                    """)
            }
            passwordHosts.insert(host)
        }
        guard let password = become.password else { throw ModuleError("become: no password for sudo on \(host)") }
        let sudo = ShellQuote.join(["sudo", "-k", "-S", "-p", ""] + inner)
        // `cat -` passes the password line (the channel's stdin), then the file.
        let text = stdinFile.map { "cat - \(ShellQuote.quote($0)) | " + sudo } ?? sudo
        let input = Array(password.revealed.utf8) + [0x0A] + stdin
        let result = try await base.run(RemoteStep(.shell(text), stdin: Sensitive(input)), timeout: timeout)
        if result.exitStatus == 1, result.stderrText.contains("incorrect password attempt") || result.stderrText.contains("Sorry, try again") {
            throw ModuleError("become: sudo on \(host) did not accept the become password for \(become.user)")
        }
        return result
    }
}
