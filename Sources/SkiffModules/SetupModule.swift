#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// `setup` as a task: gathers the facts of `gather_subset` (Ansible's names, `all` by default, `!NAME`
/// to leave one out) with one command that may take `gather_timeout` seconds (60 by default), keeps those
/// whose name matches `filter` (shell wildcards, a list or one pattern), and makes them the host's facts.
public enum SetupModule: Module {
    public static let names = ModuleNames.builtin("setup")
    public static let arguments = ArgumentSpec([.raw("gather_subset"), .raw("gather_timeout"), .raw("filter"), .raw("fact_path")])
    public static let supportsCheckMode = true

    /// How long the facts command may take when neither the play nor the task says.
    public static let defaultTimeout = Duration.seconds(60)

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let subset = try FactSubset(arguments.values["gather_subset"])
        let timeout = try arguments.values["gather_timeout"].map(Self.timeout)
        let patterns: [String]
        switch arguments.values["filter"] {
        case nil, .null?: patterns = []
        case .list(let items)?: patterns = items.map(\.text).filter { !$0.isEmpty }
        case let value?: patterns = value.text.isEmpty ? [] : [value.text]
        }
        let program = ModuleProgram.run(Facts.step(subset)) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "fact gathering failed: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            var facts = Facts.parse(result.stdoutText, subset: subset)
            if !patterns.isEmpty { facts = facts.filter { fact in patterns.contains { fnmatch($0, fact.key, 0) == 0 } } }
            return .finish(ModuleOutcome(result: ["ansible_facts": .dict(facts)]))
        }
        return ModulePlan(program, timeout: timeout ?? defaultTimeout)
    }

    /// `gather_timeout`: whole seconds, at least 1.
    public static func timeout(_ value: Value) throws(ModuleError) -> Duration {
        guard let seconds = value.intValue ?? Int(value.text), seconds >= 1 else {
            throw ModuleError("gather_timeout must be a whole number of seconds, at least 1, not '\(value.text)'")
        }
        return .seconds(seconds)
    }
}
