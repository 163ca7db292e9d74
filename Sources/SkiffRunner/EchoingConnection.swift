import SkiffCore
import SkiffModules

/// Reports every command and upload before it goes to the host (`-vvv`, JSON `command` events), with
/// secret values masked and, for `no_log` tasks, nothing of the command shown.
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
        emit(.command(host: host, line: "upload \(step.destination) (mode \(String(step.mode, radix: 8)))"))
        try await base.upload(step)
    }

    func close() async { await base.close() }
}
