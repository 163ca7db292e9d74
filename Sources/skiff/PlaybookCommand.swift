import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import OrderedCollections
import SkiffAudit
import SkiffAuditStore
import SkiffCore
import SkiffInventory
import SkiffModules
import SkiffPlaybook
import SkiffRunner
import SkiffSSH
import SkiffTemplate
import SkiffYAML

/// `skiff PLAYBOOK…`: ansible-playbook's command line. Playbooks and inventories are read and checked
/// completely before any host is contacted; invalid input exits with status 5.
struct PlaybookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook",
        abstract: "Run playbooks, as ansible-playbook does (also --syntax-check, --list-hosts, --list-tasks).",
        discussion: """
            Exit status: 0 success, 2 a host failed, 4 a host was unreachable, 75 a host's deploy lock was held \
            by another run or deploys are frozen there (nothing ran on it), 5 invalid input (found before any \
            host is contacted), 99 interrupted, 1 any other error (the audit log cannot be written, …).
            """
    )

    @OptionGroup var options: PlaybookOptions

    func run() async throws {
        try await options.execute()
    }
}

/// The options of a playbook run (shared by `skiff PLAYBOOK` and `skiff rollback`).
struct PlaybookOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var vault: VaultOptions

    @Option(name: [.customShort("f"), .long], help: "How many hosts to work on at once (default 50, or $SKIFF_FORKS, or ansible.cfg's forks).")
    var forks: Int = ConfiguredDefaults.current.forks

    @Flag(name: [.customShort("C"), .long], help: "Check mode: change nothing (commands are skipped).")
    var check = false

    @Flag(name: [.customShort("D"), .long], help: "Show what changed in files (copy, template, lineinfile, file).")
    var diff = false

    @Flag(name: [.customShort("b"), .long], help: "Run tasks through sudo (become), unless a play or task says otherwise.")
    var become = false

    @Option(name: .long, help: "The user become switches to (default root).")
    var becomeUser: String?

    @Flag(name: [.customShort("K"), .long], help: "Ask for the sudo password (or set $SKIFF_BECOME_PASSWORD / --become-password-file).")
    var askBecomePass = false

    @Option(name: .long, help: "File holding the sudo password.")
    var becomePasswordFile: String?

    @Flag(name: .customShort("v"), help: "More output (repeatable).")
    var verbose: Int

    @Option(name: .long, help: "human (default) or json: one JSON object per line per event, for CI.")
    var output: String = Environment.value("SKIFF_OUTPUT") ?? "human"

    @Option(name: .long, help: "Also write a JUnit XML report: one testcase per host and task (default $SKIFF_JUNIT).")
    var junit: String?

    @Argument(help: "Playbook files.")
    var playbooks: [String] = []

    @Option(name: [.customShort("i"), .long], help: "Inventory file, directory or comma-separated host list (repeatable).")
    var inventory: [String] = []

    @Option(name: [.customShort("e"), .customLong("extra-vars")], help: "key=value, JSON/YAML, or @file (repeatable; later wins).")
    var extraVars: [String] = []

    @Option(name: .customLong("gather-facts"), help: "auto (default, also $SKIFF_GATHER_FACTS): gather facts only for plays that read them; always: as ansible-playbook.")
    var gatherFacts: String?

    @Option(name: .customLong("secret-var"), help: "Treat this variable as secret: masked in output, fingerprinted in the audit log (repeatable).")
    var secretVars: [String] = []

    @Option(name: [.customShort("l"), .long], help: "Only hosts matching this pattern (@FILE reads patterns from a file).")
    var limit: String?

    @Option(name: .long, help: "Only a stable 1/N of the hosts, by name: K/N (1 ≤ K ≤ N), the same split on every runner (for CI matrices).")
    var shard: String?

    @Option(name: [.customShort("t"), .long], help: "Only tasks with these tags (comma-separated).")
    var tags: [String] = []

    @Option(name: .long, help: "Skip tasks with these tags (comma-separated).")
    var skipTags: [String] = []

    @Option(name: .long, help: "Begin at the first task with this name (wildcards * ? [] allowed; 'role : name' for a role's task).")
    var startAtTask: String?

    @Flag(name: .long, help: "Ask before each task: (N)o/(y)es/(c)ontinue (needs a terminal).")
    var step = false

    @Flag(name: .long, help: "Check the playbooks and exit.")
    var syntaxCheck = false

    @Flag(name: .long, help: "List the hosts each play would run on.")
    var listHosts = false

    @Flag(name: .long, help: "List the tasks each play would run.")
    var listTasks = false

    func validate() throws {
        guard !playbooks.isEmpty else { throw ValidationError("name at least one playbook") }
        guard output == "human" || output == "json" else { throw ValidationError("--output must be human or json") }
        // As ansible-playbook: "The number of processes (--forks) must be >= 1".
        guard forks >= 1 else { throw ValidationError("--forks (or $SKIFF_FORKS, or ansible.cfg's forks) must be at least 1, not \(forks)") }
        if let shard, HostShard(shard) == nil { throw ValidationError("--shard must be K/N with 1 ≤ K ≤ N, like 2/4") }
        if let mode = gatherFacts ?? Environment.value("SKIFF_GATHER_FACTS"), FactUsage.Mode(rawValue: mode) == nil {
            throw ValidationError("--gather-facts (or SKIFF_GATHER_FACTS) must be auto or always, not '\(mode)'")
        }
    }

    /// When facts are gathered (`--gather-facts`, else `$SKIFF_GATHER_FACTS`, else `auto`).
    var factMode: FactUsage.Mode {
        (gatherFacts ?? Environment.value("SKIFF_GATHER_FACTS")).flatMap(FactUsage.Mode.init(rawValue:)) ?? .auto
    }

    @Flag(name: .long, help: "Do not take the deploy lock (~/.skiff/lock) on the hosts.")
    var noLock = false

    @Option(name: .long, help: "Wait up to this many seconds for a deploy lock another run holds (default: fail the host at once).")
    var lockWait: Int = 0

    @Option(name: .long, help: "Seconds without a heartbeat after which a deploy lock is stale (default 900).")
    var lockTTL: Int = 900

    @Flag(name: .long, help: "Break stale deploy locks (recorded in the audit log).")
    var breakStaleLocks = false

    @Option(name: .long, help: "The audit log to append to (default $SKIFF_AUDIT_LOG, ansible.cfg [skiff] audit_log, else $XDG_STATE_HOME/skiff/audit.jsonl).")
    var auditLog: String?

    @Option(name: .customLong("audit-url"), help: "Also append every record to the shared PostgreSQL store, postgresql://… (default $SKIFF_AUDIT_URL, ansible.cfg [skiff] audit_url).")
    var auditURL: String?

    @Flag(name: .long, help: "Also append each host's part of the run to its own audit log (~/.skiff/audit.jsonl; also $SKIFF_AUDIT_REMOTE, ansible.cfg [skiff] audit_remote).")
    var auditRemote = false

    @Option(name: .long, help: "The audit log's path on the hosts (implies --audit-remote).")
    var auditRemotePath: String?

    /// Reads the vault passwords, then the input and runs it; vault files and `!vault` values in any YAML
    /// the run reads are decrypted with them (see `VaultSession`).
    func execute(rollbackOf: String? = nil, versionOverride: String? = nil, vaultSession: VaultSession? = nil) async throws {
        let session = try vaultSession ?? readVaultPasswords()
        try await VaultSession.$current.withValue(session) {
            try await execute(vault: session, rollbackOf: rollbackOf, versionOverride: versionOverride)
        }
    }

    /// The vault passwords (files and scripts read, prompts asked) in a session for reading the input;
    /// a password that cannot be read is invalid input.
    func readVaultPasswords() throws -> VaultSession {
        do {
            return VaultSession(keyring: try vault.keyring())
        } catch let error as ValidationError {
            throw invalidInput(error.message)
        }
    }

    private func execute(vault: VaultSession, rollbackOf: String?, versionOverride: String?) async throws {
        do {
            var extra = try ExtraVariables.parse(extraVars)
            if let versionOverride {
                extra["version"] = .string(versionOverride)
                extra["VERSION"] = .string(versionOverride)
            }
            var loaded = try playbooks.map { try PlaybookLoader().load($0, tags: tagFilter) }
            if let startAtTask { loaded = try StartAtTask(startAtTask, tags: tagFilter).apply(to: loaded) }
            if let failures = vaultFailures(vault) { throw invalidInput(failures) }
            if syntaxCheck && !listHosts && !listTasks {
                for playbook in loaded { Console.out("\nplaybook: \(playbook.path)") }
                return
            }
            if step && !syntaxCheck && !listHosts && !listTasks && !TerminalQuestion.available {
                Console.error("--step asks before each task and needs a terminal (/dev/tty)")
                throw ExitCode(5)
            }
            let sources = inventory.isEmpty ? ConfiguredDefaults.current.inventory : inventory
            let hosts = try InventoryLoader().load(sources: sources, playbookDirectory: playbooks.first.map(Self.directory))
            var limited = try limit.map { Set(try HostPattern.limit($0, in: hosts)) }
            if let shard = shard.flatMap(HostShard.init) {
                let mine = Set(shard.select(hosts.hosts(in: "all")))
                limited = limited.map { $0.intersection(mine) } ?? mine
            }
            // A vault value that could not be decrypted stops the run here, wherever it was read.
            if let failures = vaultFailures(vault) { throw invalidInput(failures) }
            guard listHosts || listTasks else {
                let prompts = PromptAnswers(
                    interactive: isatty(STDIN_FILENO) == 1 && TerminalQuestion.available, ask: TerminalQuestion.ask, tell: Console.out,
                    warn: Console.warn)
                loaded = try prompts.answer(loaded, extraVars: extra)
                // A variable nothing can define fails here, not on every host after logging in.
                let undefined = UndefinedVariables.check(loaded, inventory: hosts, extraVars: extra)
                if !undefined.isEmpty { throw PlaybookError(diagnostics: undefined) }
                throw ExitCode(try await runPlaybooks(
                    loaded, inventory: hosts, sources: sources, extra: extra, limit: limited, vault: vault, rollbackOf: rollbackOf))
            }
            loaded = PromptAnswers.defaults(loaded, extraVars: extra)
            for playbook in loaded {
                try PlaybookListing(inventory: hosts, extraVars: extra, limit: limited, tags: tagFilter)
                    .print(playbook, hosts: listHosts, tasks: listTasks)
            }
        } catch let error as PlaybookError {
            throw invalidInput(vaultFailures(vault) ?? error.description)
        } catch let error as InventoryError {
            throw invalidInput(vaultFailures(vault) ?? error.description)
        } catch let error as TemplateError {
            throw invalidInput(vaultFailures(vault) ?? error.description)
        }
    }

    /// The vault values that could not be decrypted: the cause to report when reading failed (a value
    /// that cannot be decrypted also makes, say, its vars file look like no mapping).
    private func vaultFailures(_ vault: VaultSession) -> String? {
        vault.failures.isEmpty ? nil : vault.failures.map(\.description).joined(separator: "\n")
    }

    /// Reports input that stops the run before any host is contacted — on the console, or as a JSON
    /// `error` event, and in the JUnit report when one is asked for — and gives exit status 5.
    private func invalidInput(_ unmasked: String) -> ExitCode {
        let message = SecretMask(VaultSession.current?.secrets ?? []).apply(unmasked)
        if output == "json" {
            JSONLinesReporter(runID: nil).error(message, exitCode: 5)
        } else {
            Console.error(message)
        }
        if let path = junit ?? Environment.value("SKIFF_JUNIT") {
            do {
                try JUnitReporter(path: path).writeInvalidInput(message)
            } catch {
                Console.error("--junit \(path) cannot be written: \(error)")
            }
        }
        return ExitCode(5)
    }

    /// Appends a host's part of the run to its own log; the reason when that failed (the host then fails:
    /// an audit log that cannot be written fails closed).
    static func appendHostLog(_ records: [OrderedDictionary<String, Value>], path: String?, over connection: any HostConnection) async -> String? {
        guard !records.isEmpty else { return nil }
        let step = RemoteStep(.shell(RemoteAuditLog.appendScript(path: path)), stdin: Sensitive(RemoteAuditLog.input(records)))
        do {
            let result = try await connection.run(step, timeout: .seconds(120))
            if result.succeeded { return nil }
            let said = result.stderrText.trimmingCharacters(in: " \n")
            return said.isEmpty ? "cannot write the host's audit log (\(result.termination))" : said
        } catch {
            return "cannot write the host's audit log: \(error)"
        }
    }

    /// The values of the controller's environment variables that the playbooks read with `lookup('env', …)`
    /// under a secret-looking or declared name: secrets whatever variable holds them.
    static func secretEnvironmentValues(read playbooks: [Playbook], declared: Set<String>) -> [String] {
        let names = playbooks.reduce(into: Set<String>()) { $0.formUnion(EnvironmentLookups.names(in: $1)) }
        return names.filter { SecretNames.looksSecret($0) || declared.contains($0) }.sorted().compactMap { Environment.value($0) }
    }

    /// Runs the plays over SSH and returns the exit status. The run is recorded in the audit log; when
    /// `run_started` cannot be written, no host is contacted (exit 1).
    private func runPlaybooks(
        _ playbooks: [Playbook], inventory: Inventory, sources: [String], extra: OrderedDictionary<String, Value>,
        limit: Set<String>?, vault: VaultSession, rollbackOf: String?
    ) async throws -> Int32 {
        let began = ContinuousClock.now
        let junitReport = (junit ?? Environment.value("SKIFF_JUNIT")).map(JUnitReporter.init(path:))
        if let path = junitReport?.path, let problem = OutputFile.problem(path) {
            Console.error("--junit \(path) cannot be written: \(problem)")
            return 5
        }
        let runID = RunID.make()
        let stop = StopRequest()
        // Check mode changes nothing on the hosts: their logs included.
        let remoteAudit = check ? nil : RemoteAuditSetting.resolve(flag: auditRemote, path: auditRemotePath)
        // Keys, passphrases and passwords are read first: a run that cannot authenticate is not recorded.
        let factory = try connection.connectionFactory(forks: forks)
        let becomeAs = Become(user: becomeUser ?? "root", password: try becomePassword())
        let recorder: AuditRecorder
        do {
            let log = try AuditLog(path: AuditLocation.resolve(option: auditLog))
            var sinks: [any AuditSink] = []
            if let url = AuditStoreLocation.resolve(option: auditURL) {
                // Keyed with the fleet's shared key when there is one: every controller writes the same chain.
                sinks.append(try PostgresAuditStore(url: url, key: try AuditKey.sharedFromEnvironment().map { AuditKey(bytes: $0) }))
            }
            recorder = AuditRecorder(log: log, runID: runID, keepsHostRecords: remoteAudit != nil, sinks: sinks) { error in
                Console.error("\(error.message); no new task will start")
                stop.request()
            }
            try recorder.started(RunStartedRecord.fields(
                recorder: recorder, playbooks: playbooks, sources: sources, extra: extra, vaultSecrets: Set(vault.secrets), options: self,
                rollbackOf: rollbackOf))
        } catch {
            Console.error("\(error.message): the run does not start without its audit record")
            return 1
        }
        let console = ConsoleReporter(
            verbosity: verbose, color: Console.colorful, progress: Console.isTerminal)
        let json = output == "json" ? JSONLinesReporter(runID: runID) : nil
        json?.started(playbooks: playbooks.map(\.path))
        var settings = RunSettings(
            forks: forks, checkMode: check, extraVars: extra, limit: limit, tags: tagFilter, runID: runID, stop: stop,
            become: become, becomeAs: becomeAs, diff: diff)
        settings.secretReplacement = { recorder.fingerprint($0) }
        settings.secretVariables = Set(secretVars)
        settings.gatherFacts = factMode
        settings.secretValues = Self.secretEnvironmentValues(read: playbooks, declared: settings.secretVariables)
        settings.knownSecrets = { vault.secrets }
        settings.remoteUser = connection.user ?? ConfiguredDefaults.current.remoteUser
        if step { settings.step = StepConfirmation(ask: TerminalQuestion.ask) }
        // A host's next task starts once its earlier results are on disk.
        settings.beforeTask = { await recorder.durable() }
        if let remoteAudit {
            settings.finishHost = { recap, connection in
                await Self.appendHostLog(recorder.hostPart(recap, exitCode: HostRecap.exitCode([recap])), path: remoteAudit.path, over: connection)
            }
        }
        if !noLock {
            settings.lock = LockSettings(ttlSeconds: lockTTL, waitSeconds: lockWait, breakStale: breakStaleLocks, info: [
                "operator": .string(RunStartedRecord.operatorName()), "controller_pid": .int(Int(getpid())),
                "ci_job": .string(CIContext.current().map { CIContext.label(.dict($0)) } ?? ""),
                "playbook": .string(playbooks.map(\.path).joined(separator: ",")), "time": .string(AuditTime.now()),
            ])
        }
        let runner = PlaybookRunner(inventory: inventory, settings: settings, connections: ConnectionPool(factory: factory)) { event in
            recorder.handle(event)
            if let json { json.handle(event) } else { console.handle(event) }
            junitReport?.handle(event)
        }
        let signals = StopSignals(stop: stop) { await recorder.quit(duration: .now - began) }
        defer { signals.cancel() }
        // Whatever ends the run, no progress line stays on the terminal.
        defer { console.finish() }
        let recaps: [HostRecap]
        do {
            recaps = try await runner.run(playbooks)
        } catch let error as ConnectionSettingsError {
            // No host was contacted: the run is recorded as refused input.
            await recorder.finished([], exitCode: 5, duration: .now - began, interrupted: false)
            throw invalidInput(error.message)
        }
        await recorder.durable()
        try junitReport?.write()
        let interrupted = stop.isRequested && recorder.failure == nil
        var status = HostRecap.exitCode(recaps)
        if interrupted {
            Console.error("interrupted: no new task was started after the signal; always sections and cleanup ran")
            status = 99
        }
        await recorder.finished(recaps, exitCode: recorder.failure == nil ? status : 1, duration: .now - began, interrupted: interrupted,
                          extra: rollbackOf.map { ["rollback_of": .string($0)] } ?? [:])
        if let failure = recorder.failure {
            Console.error("the audit log could not be written (\(failure.message)): the run is not trustworthy")
            return 1
        }
        return status
    }

    /// The sudo password, read once when asked for (-K, a file, or $SKIFF_BECOME_PASSWORD).
    private func becomePassword() throws -> Sensitive<String>? {
        guard askBecomePass || becomePasswordFile != nil || Environment.value("SKIFF_BECOME_PASSWORD") != nil else { return nil }
        return try SecretInput.read(environment: "SKIFF_BECOME_PASSWORD", file: becomePasswordFile, prompt: "BECOME password: ")
    }

    private var tagFilter: TagFilter { TagFilter(only: Self.split(tags), skip: Self.split(skipTags)) }

    static func split(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",").map { String($0).trimmingSpacesAndTabs() } })
    }

    static func directory(_ path: String) -> String {
        let parent = PathText.parent(path)
        return parent.isEmpty ? "." : parent
    }
}

/// Prints `--list-hosts` and `--list-tasks` in ansible-playbook's shapes.
struct PlaybookListing {
    let inventory: Inventory
    let extraVars: OrderedDictionary<String, Value>
    let limit: Set<String>?
    let tags: TagFilter

    func print(_ playbook: Playbook, hosts listHosts: Bool, tasks listTasks: Bool) throws {
        var lines = ["", "playbook: \(playbook.path)"]
        for (index, play) in playbook.plays.enumerated() {
            var variables = play.vars
            variables.merge(extraVars) { $1 }
            let pattern = try Template(play.hosts, location: play.location).render(TemplateContext(variables: variables))
            var hosts = try HostPattern.select(pattern, in: inventory, at: play.location)
            if let limit { hosts = hosts.filter(limit.contains) }
            lines.append("")
            let name = try play.name.map { try Template($0, location: play.location).render(TemplateContext(variables: variables)) } ?? pattern
            lines.append("  play #\(index + 1) (\(pattern)): \(name)\tTAGS: [\(play.tags.sorted().joined(separator: ", "))]")
            if listHosts {
                lines.append("    pattern: \(Self.pythonList(play.hostEntries))")
                lines.append("    hosts (\(hosts.count)):")
                lines += hosts.map { "      \($0)" }
            }
            if listTasks {
                lines.append("    tasks:")
                for task in play.listedTasks where tags.selects(task, in: play) {
                    let tags = Array(Set(task.tags + play.tags)).sorted()
                    lines.append("      \(task.displayName)\tTAGS: [\(tags.joined(separator: ", "))]")
                }
            }
        }
        Console.out(SecretMask(VaultSession.current?.secrets ?? []).apply(lines.joined(separator: "\n")))
    }

    static func pythonList(_ items: [String]) -> String {
        "[" + items.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }
}

