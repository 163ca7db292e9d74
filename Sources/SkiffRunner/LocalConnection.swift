import Foundation
import SkiffCore
import SkiffModules

/// Runs steps on the controller itself: for `delegate_to: localhost`, `local_action` and hosts with
/// `ansible_connection=local`. Commands run through `/bin/sh -c`, as over SSH; uploads are written to a
/// temporary name and renamed into place.
public struct LocalConnection: HostConnection {
    public init() {}

    public func run(_ step: RemoteStep, timeout: Duration?) async throws -> CommandResult {
        let started = ContinuousClock.now
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", step.commandLine]
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input = step.stdin { stdin.fileHandleForWriting.write(Data(input.revealed)) }
        try stdin.fileHandleForWriting.close()
        async let out = Task.detached { stdout.fileHandleForReading.readDataToEndOfFile() }.value
        async let err = Task.detached { stderr.fileHandleForReading.readDataToEndOfFile() }.value
        let (outData, errData) = await (out, err)
        let status = await Task.detached { () -> Int32 in
            process.waitUntilExit()
            return process.terminationStatus
        }.value
        let termination: Termination = process.terminationReason == .uncaughtSignal ? .signaled(String(status)) : .exited(status)
        return CommandResult(termination: termination, stdout: Array(outData), stderr: Array(errData), duration: .now - started)
    }

    public func upload(_ step: UploadStep) async throws {
        let data: Data
        switch step.source {
        case .bytes(let bytes): data = Data(bytes.revealed)
        case .localFile(let path):
            guard let contents = FileManager.default.contents(atPath: path) else { throw ModuleError("cannot read \(path)") }
            data = contents
        }
        let temporary = step.destination + ".skiff-\(UUID().uuidString.prefix(8)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: Int(step.mode)]) else {
            throw ModuleError("cannot write \(step.destination)")
        }
        if rename(temporary, step.destination) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ModuleError("cannot move the upload into \(step.destination)")
        }
    }

    public func close() async {}
}
