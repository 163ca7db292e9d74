import SkiffCore
import SkiffModules

/// Walks a module's program over a connection. When the walk is cut short (an error, a lost upload,
/// cancellation), the module's abort cleanup still runs.
struct ProgramRunner {
    let connection: any HostConnection
    let timeout: Duration?

    func run(_ plan: ModulePlan) async throws -> ModuleOutcome {
        var program = plan.program
        do {
            while true {
                switch program {
                case .run(let step, let next):
                    program = next(try await connection.run(step, timeout: timeout))
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

    /// Runs the abort cleanup in a task of its own, so that a cancelled run still removes its files.
    private func cleanUp(_ plan: ModulePlan) async {
        guard !plan.abortCleanup.isEmpty else { return }
        let connection = self.connection
        await Task {
            for step in plan.abortCleanup { _ = try? await connection.run(step, timeout: .seconds(30)) }
        }.value
    }
}
