import SkiffCore
import SkiffModules

/// Walks a module's program over a connection. When the walk is cut short (an error, a lost upload,
/// cancellation), the module's abort cleanup still runs.
struct ProgramRunner {
    let connection: any HostConnection
    let timeout: Duration?
    /// A stop requested while a command runs stops that command on the host (TERM, then KILL) instead of
    /// waiting for it: a CI system kills a cancelled job about 10 s later, and cleanup must run before.
    var stop: StopRequest?

    func run(_ plan: ModulePlan) async throws -> ModuleOutcome {
        if let limit = plan.timeout, timeout.map({ limit < $0 }) ?? true {
            return try await ProgramRunner(connection: connection, timeout: limit, stop: stop).run(ModulePlan(plan.program, abortCleanup: plan.abortCleanup))
        }
        var program = plan.program
        do {
            while true {
                switch program {
                case .run(let step, let next):
                    program = next(try await run(step))
                case .upload(let upload, let next):
                    try await connection.upload(upload)
                    program = next()
                case .finish(let outcome):
                    return outcome
                }
            }
        } catch {
            await cleanUp(plan)
            throw error
        }
    }

    /// Runs one command; when a stop is requested while it runs (not when one was before it started: that
    /// is `always` and cleanup running), stops it and throws.
    private func run(_ step: RemoteStep) async throws -> CommandResult {
        guard let stop, !stop.isRequested else { return try await connection.run(step, timeout: timeout) }
        let connection = self.connection
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: CommandResult?.self) { group in
            group.addTask { try await connection.run(step, timeout: timeout) }
            group.addTask {
                await stop.requested()
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw StoppedError()
            }
            return result
        }
    }

    /// Runs the abort cleanup in a task of its own, so that a cancelled run still removes its files.
    private func cleanUp(_ plan: ModulePlan) async {
        guard !plan.abortCleanup.isEmpty else { return }
        let connection = self.connection
        await Task {
            for step in plan.abortCleanup { _ = try? await connection.run(step, timeout: .seconds(30)) }
        }.value
    }
}

/// A command stopped because the run was asked to stop.
struct StoppedError: Error, CustomStringConvertible {
    var description: String { "stopped: the run was interrupted while this command ran" }
}
