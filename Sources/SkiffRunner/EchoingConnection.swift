import SkiffCore
import SkiffModules

/// Reports every command and upload (with its content's SHA-256) before it goes to the host (`-vvv`, JSON
/// `command` events, the audit log's `commands`), with secret values masked and, for `no_log` tasks,
/// nothing of the command or the content shown.
struct EchoingConnection: HostConnection {
    let base: any HostConnection
    let host: String
    let mask: SecretMask
    let hidden: Bool
    let emit: @Sendable (RunEvent) -> Void

    func run(_ step: RemoteStep, timeout: Duration?) async throws -> CommandResult {
        emit(.command(host: host, line: hidden ? "(command hidden: no_log)" : mask.apply(step.shownLine)))
        return try await base.run(step, timeout: timeout)
    }

    func upload(_ step: UploadStep) async throws {
        // The content's SHA-256 goes into the audit record of the task (what exactly was deployed), unless no_log.
        let checksum = hidden ? "" : step.contentSHA256().map { ", sha256 \($0)" } ?? ""
        emit(.command(host: host, line: "upload \(step.destination) (mode \(String(step.mode, radix: 8))\(checksum))"))
        if !hidden, let sha256 = step.contentSHA256(), let text = step.recordableText() {
            emit(.uploaded(host: host, destination: step.destination, sha256: sha256, text: mask.apply(text)))
        }
        try await base.upload(step)
    }

    func close() async { await base.close() }
}
