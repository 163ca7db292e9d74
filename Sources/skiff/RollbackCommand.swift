import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffAudit
import SkiffCore
import SkiffInventory
import SkiffYAML

/// `skiff rollback PLAYBOOK -i INV`: re-runs the deploy playbook on each host with the version it ran
/// before its current one (from the audit log; `--to` names one), `version` and `VERSION` set to it.
/// Refuses, naming the host and the reason, when the history does not know what to go back to, and
/// refuses outright when the audit log does not verify (`skiff audit verify`): forged or cut history
/// must not choose what runs.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Deploy the version each host ran before its current one (from the audit log), or --to VERSION.")

    @OptionGroup var options: PlaybookOptions
    @Option(help: "The compose project to roll back (needed when a host runs several).") var project: String?
    @Option(help: "Roll back to this version instead of the previous one.") var to: String?

    func run() async throws {
        let logPath = AuditLocation.resolve(option: options.auditLog)
        if FileManager.default.fileExists(atPath: logPath) {
            let report = AuditVerifier.verify(path: logPath)
            if let broken = report.broken {
                Console.error("rollback refused: the audit log \(logPath) does not verify (line \(broken.line): \(broken.reason)); "
                              + "its history cannot choose what to deploy (see `skiff audit verify`; deploy a version by name with -e version=V)")
                throw ExitCode(1)
            }
            if report.unkeyed > 0 {
                Console.warn("\(logPath): \(report.unkeyed) record(s) carry no MAC (written by an older version); rollback trusts them as they are")
            }
        }
        let history = try AuditHistory(logs: [logPath])
        let sources = options.inventory.isEmpty ? ConfiguredDefaults.current.inventory : options.inventory
        // The vault passwords are read once, for the inventory here and for each run below.
        let vault = try options.readVaultPasswords()
        let inventory = try VaultSession.$current.withValue(vault) {
            try InventoryLoader().load(sources: sources, playbookDirectory: options.playbooks.first.map(PlaybookOptions.directory))
        }
        let hosts = try HostPattern.limit(options.limit ?? "all", in: inventory)
        var targets: [(host: String, version: String, from: AuditHistory.Deployed?)] = []
        var refusals: [String] = []
        for host in hosts {
            let current = history.current(project: project, host: host)
            if current.count > 1 {
                refusals.append("\(host): runs several projects (\(current.map(\.project).joined(separator: ", "))); name one with --project")
                continue
            }
            if let to {
                targets.append((host, to, current.first))
            } else if let deployed = current.first {
                if let previous = history.previousVersion(host: host, project: deployed.project) {
                    targets.append((host, previous.previous, deployed))
                } else {
                    refusals.append("\(host): the audit log knows no version of \(deployed.project) before \(deployed.version ?? "?"); give --to VERSION")
                }
            } else {
                refusals.append("\(host): no deployment\(project.map { " of \($0)" } ?? "") is recorded in \(logPath); give --to VERSION")
            }
        }
        guard refusals.isEmpty else {
            for refusal in refusals { Console.error("rollback refused for \(refusal)") }
            throw ExitCode(1)
        }
        guard !targets.isEmpty else {
            Console.error("rollback: no host selected")
            throw ExitCode(1)
        }
        for target in targets {
            Console.out("\(target.host): \(target.from.map { "\($0.project) \($0.version ?? "?")" } ?? "?") -> \(target.version)")
        }
        var worst: Int32 = 0
        let versions = Array(Set(targets.map(\.version))).sorted()
        for version in versions {
            let group = targets.filter { $0.version == version }
            var run = options
            run.limit = group.map(\.host).joined(separator: ",")
            let rollbackOf = Array(Set(group.compactMap { $0.from?.run })).sorted().joined(separator: ",")
            do {
                try await run.execute(rollbackOf: rollbackOf.isEmpty ? "unknown" : rollbackOf, versionOverride: version, vaultSession: vault)
            } catch let exit as ExitCode {
                worst = max(worst, exit.rawValue)
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }
}
