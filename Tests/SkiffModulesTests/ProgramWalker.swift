import OrderedCollections
import SkiffCore
import SkiffModules

/// Walks a module program as the runner would, with scripted command results, recording what it asked for.
struct ProgramWalker {
    enum Action: Equatable {
        case run(String, stdin: String?)
        case upload(String, mode: String)
    }

    /// Answers for commands: the first rule whose text the command line contains wins; default exit 0.
    var answers: [(contains: String, result: CommandResult)] = []

    static func result(_ status: Int32 = 0, stdout: String = "", stderr: String = "") -> CommandResult {
        CommandResult(termination: .exited(status), stdout: Array(stdout.utf8), stderr: Array(stderr.utf8), duration: .milliseconds(5))
    }

    func walk(_ plan: ModulePlan) -> (actions: [Action], outcome: ModuleOutcome) {
        var actions: [Action] = []
        var program = plan.program
        while true {
            switch program {
            case .run(let step, let next):
                let line = step.shownLine
                actions.append(.run(line, stdin: step.stdin.map { String(decoding: $0.revealed, as: UTF8.self) }))
                program = next(answers.first { line.contains($0.contains) }?.result ?? Self.result())
            case .upload(let upload, let next):
                actions.append(.upload(upload.destination, mode: String(upload.mode, radix: 8)))
                program = next()
            case .finish(let outcome):
                return (actions, outcome)
            }
        }
    }

    /// The steps run, as the module built them.
    func steps(_ plan: ModulePlan) -> [RemoteStep] {
        var steps: [RemoteStep] = []
        var program = plan.program
        while true {
            switch program {
            case .run(let step, let next):
                steps.append(step)
                program = next(answers.first { step.shownLine.contains($0.contains) }?.result ?? Self.result())
            case .upload(_, let next): program = next()
            case .finish: return steps
            }
        }
    }

    /// Only the command lines.
    func commands(_ plan: ModulePlan) -> [String] {
        walk(plan).actions.compactMap { if case .run(let line, _) = $0 { return line } else { return nil } }
    }
}

func arguments(_ values: OrderedDictionary<String, Value>, _ module: String = "test") -> ModuleArguments {
    ModuleArguments(values, module: module)
}
