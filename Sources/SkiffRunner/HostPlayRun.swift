#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffPlaybook
import SkiffTemplate

/// One host's way through one play: tasks in order, blocks with rescue and always, loops, conditions,
/// registered results, notified handlers. A failed host stops its own tasks, no one else's. Under the
/// linear strategy (`lockstep`) each task waits for its turn, so the hosts of the batch go task by task.
final class HostPlayRun: @unchecked Sendable {
    let host: String
    let play: Play
    let variables: HostVariables
    let settings: RunSettings
    let connections: ConnectionPool
    let coordination: BatchCoordination
    let locks: HostLocks?
    /// The linear strategy's turns (nil: the `free` strategy, each host runs ahead on its own).
    let lockstep: Lockstep?
    let emit: @Sendable (RunEvent) -> Void

    /// `set_fact` and `register` results, which later tasks see.
    private var runtime = OrderedDictionary<String, Value>()
    /// Gathered facts (`ansible_*`).
    var facts = OrderedDictionary<String, Value>()
    /// `include_vars` results: templates, rendered when used.
    var included = OrderedDictionary<String, Value>()
    var notified: [String] = []
    /// Set by `meta: end_host`/`end_play`/`end_batch`: the host leaves the play here, not failed; no
    /// `rescue`, `always` or handler runs.
    var endedPlay = false
    private(set) var unreachable = false
    /// Set when the host's deploy lock is another run's (or deploys are frozen there): nothing runs on it.
    private(set) var lockRefused = false
    /// The host takes no further task in this play: it is unreachable, or its deploy lock was refused.
    private var cutOff: Bool { unreachable || lockRefused }
    /// Set when a changed task notified a handler the play does not have: ansible-playbook stops the
    /// whole run there, and so does Skiff (this host's task fails, no host starts another task).
    private(set) var stopsRun = false
    /// How many enclosing blocks have a `rescue` (a failure inside one is not fatal to the batch yet).
    private var rescueDepth = 0
    /// The last task that failed on this host and its result: `ansible_failed_task` and
    /// `ansible_failed_result` in a `rescue` section.
    private var lastFailure: (task: Value, result: Value)?
    /// The secret values the current task can see, masked in everything it reports.
    private var taskMask = SecretMask([String]())
    /// Whether this host shows the current task's header (`taskStarted`): under the linear strategy only
    /// the first host let go at a task does, so each header is shown once.
    var showsHeader = true

    /// Masks the values of secret-looking variables, vault-decrypted values, private prompts' answers (and
    /// the connection password) in what a task shows.
    private func secretMask(_ context: TemplateContext, also extra: [String] = []) -> SecretMask {
        let values = SecretMask.values(in: context.variables.lazy.map { ($0.key, $0.value) }, declared: settings.secretVariables)
        let prompted = play.secretVariables.compactMap { context.variables[$0]?.text }
        return SecretMask(values + settings.secretValues + settings.knownSecrets() + prompted + extra, replacement: settings.secretReplacement)
    }

    init(host: String, play: Play, variables: HostVariables, settings: RunSettings, connections: ConnectionPool,
         coordination: BatchCoordination, locks: HostLocks?, lockstep: Lockstep? = nil, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.locks = locks
        self.lockstep = lockstep
        self.host = host
        self.play = play
        self.variables = variables
        self.settings = settings
        self.connections = connections
        self.coordination = coordination
        self.emit = emit
        facts = variables.states.facts(of: host)
        runtime = variables.states.runtime(of: host)
        included = variables.states.included(of: host)
    }

    /// No new task starts: the run was asked to stop, or a host of the batch failed with `any_errors_fatal`
    /// (or notified a handler that does not exist).
    private var stopRequested: Bool { settings.stop.isRequested || coordination.fatal.isRequested }

    /// Makes this host's facts and variables visible to the others (`hostvars`) and to later plays.
    func publishState() {
        variables.states.update(host, facts: facts, runtime: runtime, included: included)
    }

    /// Runs the play's tasks, then the handlers that were notified, in the order the play defines them
    /// (as ansible-playbook does, whatever the order they were notified in), each once. Returns false
    /// when the host failed.
    func run() async -> Bool {
        if play.gatherFacts && !stopRequested {
            guard await takeTurn(at: .facts, always: false) else { return false }
            guard await inOwnTask({ await self.gatherFacts() }) else { return false }
        }
        var ok = await runItems(play.runOrder, blockVars: [], at: .tasks)
        if endedPlay { return !cutOff }
        if !cutOff && !stopRequested {
            ok = await runNotifiedHandlers(ok: ok) { .handler($0) }
        }
        return ok && !cutOff
    }

    /// Runs the notified handlers in the order the play defines them, each once, at the positions given
    /// (at the play's end, or where `meta: flush_handlers` stands), and forgets that they were notified.
    func runNotifiedHandlers(ok: Bool, at position: (Int) -> TaskPosition) async -> Bool {
        var ok = ok
        let due = handlers.enumerated().filter { isNotified($0.element) }
        notified = []
        for (index, handler) in due where ok || play.keywords["force_handlers"] == .bool(true) {
            ok = await runTask(handler, blockVars: [], at: position(index)) && ok
        }
        return ok
    }

    /// Every handler of the play, its roles' included.
    var handlers: [Task] {
        (play.handlers + play.roles.flatMap(\.handlers) + play.includedRoles.flatMap(\.handlers)).flatMap(\.flattened)
    }

    func isNotified(_ handler: Task) -> Bool {
        notified.contains { Self.handler(handler, answers: $0) }
    }

    /// Whether `notify: NAME` reaches the handler: by its name (`ROLE : name` for a role's handler, too)
    /// or by a topic it `listen`s to.
    static func handler(_ handler: Task, answers name: String) -> Bool {
        if handler.name != nil, handler.name == name || handler.displayName == name { return true }
        return handler.keywords["listen"].map { TaskKeywordsList.strings($0).contains(name) } == true
    }

    /// Under the linear strategy, waits until every host of the batch is done with the tasks before this
    /// one. False when no new task may start now (the run was asked to stop, or `any_errors_fatal`),
    /// unless in an `always` section.
    func takeTurn(at position: TaskPosition, always: Bool) async -> Bool {
        if let lockstep { showsHeader = await lockstep.turn(host, at: position) }
        if coordination.endPlay.isRequested {
            endedPlay = true
            return false
        }
        return !(stopRequested && !always) && !_Concurrency.Task.isCancelled
    }

    /// One command collects the facts; an unreachable host stops here.
    private func gatherFacts() async -> Bool {
        let started = ContinuousClock.now
        let name = "Gathering Facts"
        if showsHeader { emit(.taskStarted(name: name)) }
        do {
            let context = variables.context(for: host)
            let subset = try FactSubset(play.keywords["gather_subset"].map { try ValueRendering.render($0, context, at: play.location) })
            let timeout = try play.keywords["gather_timeout"].map { try SetupModule.timeout(ValueRendering.render($0, context, at: play.location)) }
            let connection = try await connection(for: nil, context: context)
            let result = try await connection.run(Facts.step(subset), timeout: timeout ?? SetupModule.defaultTimeout)
            guard result.succeeded else {
                emit(.hostResult(HostResult(host: host, task: name, status: .failed, message: "fact gathering failed: \(result.stderrText)", rc: Int(result.exitStatus ?? -1), duration: .now - started)))
                return false
            }
            facts = Facts.parse(result.stdoutText, subset: subset)
            publishState()
            emit(.hostResult(HostResult(host: host, task: name, status: .ok, duration: .now - started)))
            return true
        } catch let error as UnreachableError {
            unreachable = true
            emit(.hostResult(HostResult(host: host, task: name, status: .unreachable, message: error.message, duration: .now - started)))
            return false
        } catch let error as LockRefusedError {
            lockRefused = true
            emit(.hostResult(HostResult(host: host, task: name, status: .locked, message: error.message, duration: .now - started)))
            return false
        } catch {
            emit(.hostResult(HostResult(host: host, task: name, status: .failed, message: "\(error)", duration: .now - started)))
            return false
        }
    }

    /// Runs items in order; stops at the first failure (which a block's rescue may clear), and before
    /// the next task when the run is asked to stop — except in `always`, which runs regardless.
    private func runItems(
        _ items: [TaskItem], blockVars: [ScopedVariables], always: Bool = false, at position: TaskPosition
    ) async -> Bool {
        for (index, item) in items.enumerated() {
            if cutOff || _Concurrency.Task.isCancelled { return false }
            // Earlier results reach the audit log's disk before the next task starts (and a failed write
            // stops the run right here).
            if case .task = item { await settings.beforeTask?() }
            if coordination.endPlay.isRequested { endedPlay = true }
            if endedPlay || (stopRequested && !always) { return false }
            switch item {
            case .task(let task):
                if !(await runTask(task, blockVars: blockVars, always: always, at: position.appending(index))) {
                    if rescueDepth == 0 && anyErrorsFatal(task) { coordination.fatal.request() }
                    return false
                }
                if endedPlay { return false }
            case .block(let block):
                if !(await runBlock(block, blockVars: blockVars, always: always, at: position.appending(index))) { return false }
            }
        }
        return true
    }

    private func runBlock(
        _ block: Block, blockVars: [ScopedVariables], always inAlways: Bool, at position: TaskPosition
    ) async -> Bool {
        var vars = blockVars
        if case .dict(let own)? = block.keywords["vars"] { vars.append(ScopedVariables(values: own, kind: .template)) }
        if block.keywords.keys.contains(where: TaskLoops.keywords.contains) {
            return await runIncludeLoop(block, blockVars: vars, always: inAlways, at: position)
        }
        if !block.rescue.isEmpty { rescueDepth += 1 }
        var ok = await runItems(block.block, blockVars: vars, always: inAlways, at: position.appending(0))
        if !block.rescue.isEmpty { rescueDepth -= 1 }
        if endedPlay { return false }
        if !ok && !cutOff && !block.rescue.isEmpty && !stopRequested {
            var rescueVars = vars
            if let lastFailure {
                rescueVars.append(ScopedVariables(values: ["ansible_failed_task": lastFailure.task, "ansible_failed_result": lastFailure.result], kind: .data))
            }
            ok = await runItems(block.rescue, blockVars: rescueVars, always: inAlways, at: position.appending(1))
            if ok { emit(.rescued(host: host)) }
        }
        // `always` runs whatever happened, also after a failure or a stop request.
        let always = await runItems(block.always, blockVars: vars, always: true, at: position.appending(2))
        return ok && always
    }

    /// An `include_tasks` with a loop: its items are shown first (`ok: [host] => (item=…)`, one result in
    /// the recap, as ansible-playbook counts an include), then its tasks run, in order, once per item. A
    /// failed item stops the host, as a failed task does.
    private func runIncludeLoop(
        _ block: Block, blockVars: [ScopedVariables], always: Bool, at position: TaskPosition
    ) async -> Bool {
        guard await takeTurn(at: position.appending(0), always: always) else { return false }
        let name = block.name ?? "include_tasks"
        let started = ContinuousClock.now
        if showsHeader { emit(.taskStarted(name: name)) }
        let base = context(for: nil, blockVars: blockVars)
        taskMask = secretMask(base)
        let loop: LoopItems
        do {
            guard let resolved = try LoopItems.resolve(block.keywords, base, at: block.location) else { return true }
            loop = resolved
        } catch {
            emit(.hostResult(HostResult(host: host, task: name, status: .failed, message: taskMask.apply("\(error)"), duration: .now - started)))
            return false
        }
        for index in loop.items.indices {
            emit(.hostResult(HostResult(host: host, task: name, status: .ok, item: taskMask.apply(loop.items[index].text))))
        }
        var result = HostResult(host: host, task: name, status: loop.items.isEmpty ? .skipped : .ok, duration: .now - started)
        result.loopItems = loop.items.count
        emit(.hostResult(result))
        for index in loop.items.indices {
            let iteration = position.appending(1, index)
            if !(await runItems(block.block, blockVars: blockVars + [ScopedVariables(values: loop.variables(index), kind: .data)], always: always, at: iteration)) { return false }
        }
        return true
    }

    func context(for task: Task?, blockVars: [ScopedVariables], extra: OrderedDictionary<String, Value> = [:]) -> TemplateContext {
        var context = variables.context(for: host, task: task, facts: facts, runtime: runtime, included: included)
        for scope in blockVars { context.merge(scope.values, as: scope.kind) }
        context.merge(settings.extraVars, as: .template)
        // Loop variables: items the loop expression produced.
        context.merge(extra, as: .data)
        return context
    }

    private func anyErrorsFatal(_ task: Task) -> Bool {
        (task.keywords["any_errors_fatal"] ?? play.keywords["any_errors_fatal"])?.isTrue ?? false
    }

    /// Runs one task (every item of its loop); false when it failed and the failure was not ignored, or
    /// when no new task may start. A `run_once` task runs on the first host of the batch that reaches it;
    /// the others take its result.
    func runTask(_ task: Task, blockVars: [ScopedVariables], always: Bool = false, at position: TaskPosition) async -> Bool {
        guard settings.tags.selects(task, in: play) else { return true }
        guard await takeTurn(at: position, always: always) else { return false }
        return await inOwnTask { await self.runTurn(task, blockVars: blockVars, at: position) }
    }

    /// Runs `work` (one task's turn) as a child task. A task keeps the memory its deepest chain of calls
    /// ever needed until it ends (Swift's task allocator reuses its slabs, it does not free them), and a
    /// module's chain is ~25 KB; run in the host's own task, every host of a linear play held that while
    /// it waited for its next turn (5 MB at 200 hosts). A child ends with the turn and frees them.
    private func inOwnTask(_ work: @escaping @Sendable () async -> Bool) async -> Bool {
        async let ok = work()
        return await ok
    }

    /// The task once it is this host's turn: `--step`, `meta`, `run_once`, then every item of its loop.
    private func runTurn(_ task: Task, blockVars: [ScopedVariables], at position: TaskPosition) async -> Bool {
        if let step = settings.step {
            guard await step.shouldRun(task, name: shownName(task, context(for: task, blockVars: blockVars))) else { return true }
        }
        if task.module == "ansible.builtin.meta" { return await runMeta(task, blockVars: blockVars, at: position) }
        guard task.keywords["run_once"]?.isTrue == true else { return await runEachItem(task, blockVars: blockVars) }
        let before = runtime
        let (shared, ranHere) = await coordination.once("\(task.location)") { [self] in
            // The host that runs it shows its header, whichever host was let go first.
            self.showsHeader = true
            let ok = await self.runEachItem(task, blockVars: blockVars)
            return BatchCoordination.OnceResult(ok: ok, variables: self.runtime.filter { before[$0.key] != $0.value })
        }
        if !ranHere {
            runtime.merge(shared.variables) { $1 }
            publishState()
        }
        return shared.ok
    }

    private func runEachItem(_ task: Task, blockVars: [ScopedVariables]) async -> Bool {
        let base = context(for: task, blockVars: blockVars)
        let name = shownName(task, base)
        if showsHeader { emit(.taskStarted(name: name)) }
        await locks?.heartbeatIfDue(host)
        let started = ContinuousClock.now
        taskMask = secretMask(base)
        let loop: LoopItems?
        do {
            loop = try LoopItems.resolve(task.keywords, base, at: task.location)
        } catch {
            return report(task, name: name, TaskResult(status: .failed, outcome: ModuleOutcome(failed: true, message: "\(error)")), started: started)
        }
        guard let loop else {
            var result = await runOnce(task, context: base)
            register(task, result.outcome.registered, base)
            if result.status == .failed { noteFailure(task, result.outcome.registered) }
            if result.status == .changed { notify(task, base, &result) }
            return report(task, name: name, result, started: started)
        }
        var results: [Value] = []
        var statuses: [TaskStatus] = []
        var unreachableMessage: String?
        for index in loop.items.indices {
            let itemContext = context(for: task, blockVars: blockVars, extra: loop.variables(index))
            let result = await runOnce(task, context: itemContext)
            var registered = result.outcome.registered.dictValue ?? [:]
            registered.merge(loop.variables(index)) { $1 }
            results.append(.dict(registered))
            _ = report(task, name: name, result, started: started, item: loop.items[index])
            statuses.append(result.status)
            if result.status == .unreachable || result.status == .locked {
                unreachableMessage = result.outcome.message
                break
            }
        }
        // The task's own result, counted once in the recap as ansible-playbook counts a loop.
        let status: TaskStatus = statuses.contains(.unreachable) ? .unreachable : statuses.contains(.locked) ? .locked
            : statuses.contains(.failed) ? .failed
            : statuses.contains(.ignored) ? .ignored : statuses.contains(.changed) ? .changed
            : statuses.allSatisfy { $0 == .skipped } ? .skipped : .ok
        let failed = status == .failed || status == .ignored
        let message = failed ? "One or more items failed" : status == .unreachable || status == .locked ? unreachableMessage
            : loop.items.isEmpty ? "No items in the list" : nil
        let summary = ModuleOutcome(changed: status == .changed, failed: failed, skipped: status == .skipped, message: message,
                                    result: ["results": .list(results)])
        register(task, summary.registered, base)
        if status == .failed { noteFailure(task, summary.registered) }
        var result = TaskResult(status: status, outcome: summary)
        if status == .changed { notify(task, base, &result) }
        return report(task, name: name, result, started: started, loopItems: loop.items.count)
    }

    /// The task's name as shown and recorded: its templates rendered (the context is built only when it has
    /// some), with the secrets it can see masked (a name is reported everywhere: console, JSON, JUnit, the
    /// audit log).
    private func shownName(_ task: Task, _ context: @autoclosure () -> TemplateContext) -> String {
        guard Template.isTemplated(task.displayName) else { return task.displayName }
        let context = context()
        guard let rendered = try? Template.parsed(task.displayName).render(context) else { return task.displayName }
        return secretMask(context).apply(rendered)
    }

    /// Keeps the failed task (its name as written, `""` when it has none, and its action, as Ansible's
    /// task has them) and its result for a rescue section.
    private func noteFailure(_ task: Task, _ result: Value) {
        lastFailure = (.dict(["name": .string(task.name ?? ""), "action": .string(task.moduleAsWritten)]), result)
    }

    private func register(_ task: Task, _ value: Value, _ context: TemplateContext) {
        if let name = task.keywords["register"]?.text, !name.isEmpty {
            runtime[name] = value
            publishState()
        }
    }

    /// Records the handlers a changed task notifies. Naming a handler the play does not have (by `name`
    /// or `listen`) fails the task and stops the run, with ansible-playbook's message.
    private func notify(_ task: Task, _ context: TemplateContext, _ result: inout TaskResult) {
        let handlers = self.handlers
        for name in TaskKeywordsList.strings(task.keywords["notify"]) {
            let rendered = (try? Template(name).render(context)) ?? name
            guard handlers.contains(where: { Self.handler($0, answers: rendered) }) else {
                result.status = .failed
                result.outcome.failed = true
                result.outcome.message = "\(task.location): The requested handler '\(rendered)' was not found in either the main "
                    + "handlers list nor in the listening handlers list"
                stopsRun = true
                coordination.fatal.request()
                return
            }
            if !notified.contains(rendered) { notified.append(rendered) }
        }
    }

    private func ignoreErrors(_ task: Task, _ context: TemplateContext) -> Bool {
        guard let value = task.keywords["ignore_errors"] else { return false }
        return (try? ValueRendering.render(value, context, at: task.location))?.isTrue ?? false
    }

    /// One execution of a task (one loop item): `when`, then the module, then `changed_when`/`failed_when`.
    private func runOnce(_ task: Task, context: TemplateContext) async -> TaskResult {
        do {
            for condition in TaskKeywordsList.conditions(task.keywords["when"]) {
                if try !Condition(condition, location: task.location).evaluate(context) {
                    return TaskResult(status: .skipped, outcome: ModuleOutcome(skipped: true, message: "Conditional result was False"))
                }
            }
            let arguments = try ValueRendering.render(task.arguments, context, at: task.location)
            var outcome = try await execute(task, arguments: arguments, context: context)
            var withResult = context
            if let name = task.keywords["register"]?.text, !name.isEmpty { withResult.set(name, outcome.registered, as: .data) }
            if let until = task.keywords["until"] {
                // As Ansible: `retries` more attempts after the first (default 3), `delay` seconds apart (default 5).
                let attemptsAllowed = max(1, (task.keywords["retries"]?.intValue ?? 3) + 1)
                let delay = task.keywords["delay"]?.intValue ?? 5
                var attempts = 1
                while try !TaskKeywordsList.conditions(until).allSatisfy({ try Condition($0, location: task.location).evaluate(withResult) }) {
                    if attempts >= attemptsAllowed {
                        outcome.failed = true
                        outcome.message = "Retried \(attempts) times; the until condition never held"
                        break
                    }
                    if delay > 0 { try await _Concurrency.Task.sleep(for: .seconds(delay)) }
                    attempts += 1
                    outcome = try await execute(task, arguments: arguments, context: context)
                    if let name = task.keywords["register"]?.text, !name.isEmpty { withResult.set(name, outcome.registered, as: .data) }
                }
                outcome.result["attempts"] = .int(attempts)
            }
            // A task check mode skipped has no result to judge (ansible-playbook evaluates neither condition
            // on a skipped result).
            if outcome.skipped {
                return TaskResult(status: .skipped, outcome: outcome)
            }
            if let changedWhen = task.keywords["changed_when"] {
                outcome.changed = try TaskKeywordsList.conditions(changedWhen).allSatisfy { try Condition($0, location: task.location).evaluate(withResult) }
            }
            if let failedWhen = task.keywords["failed_when"] {
                outcome.failed = try TaskKeywordsList.conditions(failedWhen).allSatisfy { try Condition($0, location: task.location).evaluate(withResult) }
            }
            if outcome.failed {
                return TaskResult(status: ignoreErrors(task, context) ? .ignored : .failed, outcome: outcome)
            }
            let deployment = settings.checkMode ? nil : DeploymentDetector.detect(
                task, arguments: arguments, environment: (try? ModuleDispatch.environment(task, play: play, context: context)) ?? [:], outcome: outcome)
            return TaskResult(status: outcome.skipped ? .skipped : outcome.changed ? .changed : .ok, outcome: outcome, deployment: deployment)
        } catch let error as UnreachableError {
            // ignore_unreachable: the host stays in the play (Ansible counts it ok and ignored).
            if (task.keywords["ignore_unreachable"] ?? play.keywords["ignore_unreachable"])?.isTrue == true {
                return TaskResult(status: .ignored, outcome: ModuleOutcome(failed: true, message: error.message))
            }
            unreachable = true
            return TaskResult(status: .unreachable, outcome: ModuleOutcome(failed: true, message: error.message))
        } catch let error as LockRefusedError {
            // Nothing ran on the host: another run holds its lock, or deploys are frozen there.
            lockRefused = true
            return TaskResult(status: .locked, outcome: ModuleOutcome(failed: true, message: error.message))
        } catch {
            let status: TaskStatus = ignoreErrors(task, context) ? .ignored : .failed
            return TaskResult(status: status, outcome: ModuleOutcome(failed: true, message: "\(error)"))
        }
    }

    /// Local actions run on the controller; everything else goes to the host.
    private func execute(_ task: Task, arguments: OrderedDictionary<String, Value>, context: TemplateContext) async throws -> ModuleOutcome {
        if task.module == "ansible.builtin.include_vars" {
            let outcome = try IncludeVarsAction.run(task, arguments: arguments, searchPaths: context.searchPaths)
            if case .dict(let variables)? = outcome.result["ansible_facts"] {
                included.merge(variables) { $1 }
                publishState()
            }
            return outcome
        }
        if let local = try LocalActions.run(task, arguments: arguments, context: context) {
            if case .dict(let facts)? = local.result["ansible_facts"] {
                runtime.merge(facts) { $1 }
                publishState()
            }
            if let seconds = local.result["pause_seconds"]?.intValue, seconds > 0 {
                try await _Concurrency.Task.sleep(for: .seconds(seconds))
            }
            return local
        }
        // check_mode: false on a task runs it for real even under --check (as in Ansible).
        let checking = settings.checkMode && task.keywords["check_mode"] != .bool(false) || task.keywords["check_mode"] == .bool(true)
        guard let module = ModuleRegistry.module(named: task.module) else {
            throw ModuleError("'\(task.moduleAsWritten)' is not a module Skiff knows")
        }
        if checking && !module.supportsCheckMode {
            return ModuleOutcome(skipped: true, message: "skipped in check mode")
        }
        let environment = try ModuleDispatch.environment(task, play: play, context: context)
        let plan = try ModuleDispatch.plan(
            task, module: module, arguments: arguments, environment: environment, context: context,
            checkMode: checking, diff: (settings.diff || task.keywords["diff"]?.isTrue == true) && task.keywords["diff"]?.isTrue != false)
        let connection = try await connection(for: task, context: context)
        let timeout = task.keywords["timeout"]?.intValue.map { Duration.seconds($0) }
        let outcome = try await ProgramRunner(connection: connection, timeout: timeout, stop: settings.stop).run(plan)
        // A module's `ansible_facts` (`setup`) become the host's facts, as in Ansible.
        if !outcome.failed, case .dict(let gathered)? = outcome.result["ansible_facts"] {
            facts.merge(gathered) { $1 }
            publishState()
        }
        return outcome
    }

    /// The connection a task runs over: the host's own, or the `delegate_to` host's (localhost: the
    /// controller), run through sudo when the task uses `become`.
    private func connection(for task: Task?, context: TemplateContext) async throws -> any HostConnection {
        let delegate = task?.keywords["delegate_to"].map { (try? ValueRendering.render($0, context, at: task!.location))?.text ?? $0.text }
        if let delegate, ["localhost", "127.0.0.1"].contains(delegate), variables.inventory.hosts[delegate] == nil {
            return LocalConnection()
        }
        let base: any HostConnection
        var target = host
        var targetVariables = context.variables
        if let delegate, delegate != host {
            target = delegate
            targetVariables = variables.context(for: delegate).variables
            do {
                base = try await connections.connection(for: delegate, variables: targetVariables)
            } catch let error as UnreachableError {
                // The delegate being unreachable fails this task; it does not make this host unreachable.
                throw ModuleError("delegate_to \(delegate) is unreachable: \(error.message)")
            }
        } else {
            base = try await connections.connection(for: host, variables: context.variables)
            // The deploy lock is taken with the first command on the host (once per run).
            try await locks?.acquire(host, connection: base, stop: settings.stop)
        }
        let becomeAs = try become(task, context, targetVariables: targetVariables)
        var mask = taskMask
        if let password = becomeAs?.password { mask = secretMask(context, also: [password.revealed]) }
        let echoing = EchoingConnection(
            base: base, host: target, mask: mask, hidden: task?.keywords["no_log"]?.isTrue ?? false, emit: emit)
        guard let becomeAs else { return echoing }
        return BecomeConnection(base: echoing, host: target, become: becomeAs, passwordHosts: connections.sudoPasswordHosts)
    }

    /// Whether and as whom a task uses `become`: `-b`/`--become-user` < play and task keywords < the
    /// `ansible_become*` variables (Ansible's order). Only the sudo method exists.
    private func become(_ task: Task?, _ context: TemplateContext, targetVariables: OrderedDictionary<String, Value>) throws -> Become? {
        func keyword(_ name: String) throws -> Value? {
            guard let value = task?.keywords[name] ?? play.keywords[name] else { return nil }
            return try ValueRendering.render(value, context, at: task?.location ?? play.location)
        }
        func variable(_ name: String) -> Value? {
            targetVariables["skiff_\(name)"] ?? targetVariables["ansible_\(name)"]
        }
        let becomeKeyword = try keyword("become")
        let enabled = variable("become")?.isTrue ?? becomeKeyword?.isTrue ?? settings.become
        guard enabled else { return nil }
        let methodKeyword = try keyword("become_method")
        if let method = variable("become_method") ?? methodKeyword, method.text != "sudo" {
            throw ModuleError("become_method \(method.text) is not supported; Skiff becomes other users with sudo")
        }
        var become = settings.becomeAs
        let userKeyword = try keyword("become_user")
        if let user = variable("become_user") ?? userKeyword, !user.text.isEmpty { become.user = user.text }
        // As ansible-playbook: becoming the user the host is logged in as runs no sudo (HOME, PATH and the
        // environment stay the login's). The login user counts when it is known: a host's `ansible_user`,
        // `-u`/`remote_user`, or the controller's own user for `ansible_connection=local`.
        if let login = loginUser(targetVariables), login == become.user { return nil }
        if let password = variable("become_password") ?? variable("become_pass") { become.password = Sensitive(password.text) }
        return become
    }

    /// The user a host's commands log in as, when the inventory or the command line names it.
    private func loginUser(_ variables: OrderedDictionary<String, Value>) -> String? {
        func variable(_ name: String) -> String? {
            (variables["skiff_\(name)"] ?? variables["ansible_\(name)"]).map(\.text).flatMap { $0.isEmpty ? nil : $0 }
        }
        if variable("connection") == "local" { return ProcessInfo.processInfo.userName }
        return variable("user") ?? variable("ssh_user") ?? settings.remoteUser
    }

    /// Emits one result — a task's, a loop item's (`item`), or a loop's overall result (`loopItems`) — and
    /// says whether the host may go on.
    private func report(
        _ task: Task, name: String, _ result: TaskResult, started: ContinuousClock.Instant, item: Value? = nil, loopItems: Int? = nil
    ) -> Bool {
        // no_log hides what the task printed, never why the host could not be reached (connection, host key,
        // authentication: those messages hold no secret, and a CI log needs them).
        let hidden = (task.keywords["no_log"]?.isTrue ?? false) && result.status != .unreachable
        let outcome = result.outcome
        let message = hidden ? (outcome.failed ? "the output has been hidden due to the fact that 'no_log: true' was specified for this result" : nil) : outcome.message
        let mask = taskMask
        var hostResult = HostResult(
            host: host, task: name, status: result.status, message: message.map(mask.apply),
            rc: outcome.result["rc"]?.intValue, stdout: hidden ? nil : outcome.result["stdout"].map { mask.apply($0.text) },
            stderr: hidden ? nil : outcome.result["stderr"].map { mask.apply($0.text) }, item: hidden ? nil : item.map { mask.apply($0.text) },
            diff: hidden ? nil : outcome.diff.map(mask.apply), duration: .now - started)
        hostResult.deployment = result.deployment
        if !hidden { hostResult.shown = outcome.shown.map(mask.apply) }
        hostResult.loopItems = loopItems
        if hidden {
            let output = [outcome.message, outcome.result["stdout"]?.text, outcome.result["stderr"]?.text].compactMap { $0 }.joined(separator: "\n")
            hostResult.hiddenOutput = Sensitive(output)
        }
        emit(.hostResult(hostResult))
        return !(result.status == .failed || result.status == .unreachable || result.status == .locked)
    }
}

/// Keyword values read as lists.
enum TaskKeywordsList {
    static func strings(_ value: Value?) -> [String] {
        switch value {
        case .list(let items)?: return items.map(\.text)
        case .string(let text)?: return [text]
        case nil, .null?: return []
        case let other?: return [other.text]
        }
    }

    /// `when`/`changed_when`/`failed_when`: a condition, a boolean, or a list that must all hold.
    static func conditions(_ value: Value?) -> [String] {
        switch value {
        case .list(let items)?: return items.map(\.conditionText)
        case nil: return []
        case let other?: return [other.conditionText]
        }
    }
}

extension Value {
    var conditionText: String {
        switch self {
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "false"
        default: return text
        }
    }

    var isTrue: Bool {
        switch self {
        case .bool(let flag): return flag
        case .string(let text): return ["yes", "true", "on", "1"].contains(text.lowercased())
        case .int(let number): return number != 0
        default: return false
        }
    }
}
