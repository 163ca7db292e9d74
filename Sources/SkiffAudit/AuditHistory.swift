import OrderedCollections
import SkiffCore

/// The runs recorded in one or more audit logs (several controllers' logs read as one history), for
/// `skiff audit list`, `show`, `where` and rollback. Only the record types a question needs are parsed.
public struct AuditHistory: Sendable {
    public struct Run: Sendable {
        public var id: String
        public var time: String
        public var started: OrderedDictionary<String, Value>
        public var finished: OrderedDictionary<String, Value>?
        public var interrupted = false
        public var deployed: [Deployed] = []

        /// Who ran it: the CI's actor with the controller's `user@host`, or `user@host` alone.
        public var operatorName: String {
            let user = started["operator"]?.text ?? "-"
            guard let actor = actor else { return user }
            return "\(actor) via \(user)"
        }
        /// The person a CI job ran for, when the CI says.
        public var actor: String? { started["ci"]?.dictValue?["actor"]?.text }
        /// A dry run (`-C`): never a deploy.
        public var isCheck: Bool { started["check_mode"] == .bool(true) }
        public var ciLabel: String { CIContext.label(started["ci"]) }
        public var playbooks: [String] { started["playbooks"]?.listValue?.compactMap { $0.dictValue?["path"]?.text } ?? [] }
        public var hosts: [String] { finished?["hosts"]?.dictValue.map { Array($0.keys) } ?? [] }
        public var durationMilliseconds: Int? { finished?["duration_ms"]?.intValue }
        public var rollbackOf: String? { started["rollback_of"]?.text }
        /// ok, failed, unreachable, locked (a host's deploy lock was held or frozen: nothing ran there),
        /// interrupted, error, or unfinished (no end record: still running, or killed);
        /// a dry run (`-C`) is `check`, or `check-` and how it ended when that was not ok.
        public var status: String {
            guard isCheck else { return result }
            return result == "ok" ? "check" : "check-\(result)"
        }

        private var result: String {
            guard let finished else { return "unfinished" }
            if interrupted { return "interrupted" }
            switch finished["exit_code"]?.intValue {
            case 0?: return "ok"
            case 2?: return "failed"
            case 4?: return "unreachable"
            case 75?: return "locked"
            case 99?: return "interrupted"
            default: return "error"
            }
        }
        /// The versions this run deployed, else the `version`/`VERSION` it was given.
        public var versions: [String] {
            let deployedVersions = Array(Set(deployed.compactMap(\.version))).sorted()
            if !deployedVersions.isEmpty { return deployedVersions }
            let extra = started["extra_vars"]?.dictValue
            return [extra?["version"] ?? extra?["VERSION"]].compactMap { $0?.text }
        }
    }

    public struct Deployed: Sendable {
        public var run: String
        public var time: String
        public var host: String
        public var project: String
        public var version: String?
        public var images: [String]
        public var operatorName: String
        public var ci: String
    }

    public private(set) var runs: [Run] = []

    /// Reads the run-level records of every log. A log that does not exist yet is an empty history.
    /// How bad a run's exit status is, to tell which one a run recorded twice ended with: a held deploy
    /// lock (75) is worse than success only; otherwise a higher status is worse.
    static func severity(_ exitCode: Int) -> Int {
        exitCode == 75 ? 1 : exitCode == 0 ? 0 : exitCode + 1
    }

    public init(logs: [String]) throws(AuditError) {
        self.init(contents: try Self.read(logs))
    }

    /// The logs' bytes; a log that does not exist yet is left out, one that cannot be read is an error.
    public static func read(_ logs: [String]) throws(AuditError) -> [[UInt8]] {
        var contents: [[UInt8]] = []
        for path in logs {
            guard let bytes = FileContents.read(path) else {
                if access(path, F_OK) != 0 { continue }
                throw AuditError("cannot read the audit log \(path)")
            }
            contents.append(bytes)
        }
        return contents
    }

    /// The record types a history is made of (a store is asked for these only).
    public static let recordTypes: Set<String> = ["run_started", "run_finished", "run_interrupted", "deployed"]

    /// The history in logs already read: several controllers' logs, or the hosts' own (`--from-hosts`). A
    /// run recorded in several of them (each host's log holds its part) is one run: its `run_finished`
    /// records' hosts are merged.
    public init(contents: [[UInt8]]) {
        var byID = OrderedDictionary<String, Run>()
        var deployed: [(run: String, record: OrderedDictionary<String, Value>, time: String)] = []
        let wanted = Self.recordTypes
        for bytes in contents {
            for record in AuditRecord.split(bytes).records {
                guard let type = record.type, wanted.contains(type) else { continue }
                let fields = record.fields
                guard let run = fields["run"]?.text else { continue }
                let time = fields["time"]?.text ?? ""
                switch type {
                case "run_started": if byID[run] == nil { byID[run] = Run(id: run, time: time, started: fields) }
                case "run_finished":
                    var merged = fields
                    if let earlier = byID[run]?.finished?["hosts"]?.dictValue, var hosts = fields["hosts"]?.dictValue {
                        for (host, counts) in earlier where hosts[host] == nil { hosts[host] = counts }
                        merged["hosts"] = .dict(hosts)
                        // The run failed if it failed on any host.
                        if let code = byID[run]?.finished?["exit_code"]?.intValue, Self.severity(code) > Self.severity(fields["exit_code"]?.intValue ?? 0) {
                            merged["exit_code"] = .int(code)
                        }
                    }
                    byID[run]?.finished = merged
                case "run_interrupted":
                    byID[run]?.finished = fields
                    byID[run]?.interrupted = true
                default: deployed.append((run, fields, time))
                }
            }
        }
        for (run, fields, time) in deployed {
            guard let started = byID[run] else { continue }
            byID[run]?.deployed.append(Deployed(
                run: run, time: time, host: fields["host"]?.text ?? "", project: fields["project"]?.text ?? "default",
                version: fields["version"].flatMap { $0 == .null ? nil : $0.text },
                images: fields["images"]?.listValue?.map(\.text) ?? [], operatorName: started.operatorName, ci: started.ciLabel))
        }
        runs = byID.values.sorted { $0.time < $1.time }
        deployments = runs.filter { !$0.isCheck }.flatMap(\.deployed).sorted { $0.time < $1.time }
    }

    /// Every successful deployment, oldest first (sorted once, when the logs are read).
    public private(set) var deployments: [Deployed] = []

    /// What runs on each host now: the last deployment per host and project.
    public func current(project: String? = nil, host: String? = nil) -> [Deployed] {
        var latest = OrderedDictionary<String, Deployed>()
        for deployment in deployments {
            if let project, deployment.project != project { continue }
            if let host, deployment.host != host { continue }
            latest["\(deployment.host)\u{0}\(deployment.project)"] = deployment
        }
        return latest.values.sorted { ($0.host, $0.project) < ($1.host, $1.project) }
    }

    /// The version a host ran before its current one in a project (nil: the history does not know one).
    public func previousVersion(host: String, project: String) -> (current: Deployed, previous: String)? {
        let history = deployments.filter { $0.host == host && $0.project == project }
        guard let current = history.last, let version = current.version else { return nil }
        guard let previous = history.dropLast().last(where: { $0.version != nil && $0.version != version })?.version else { return nil }
        return (current, previous)
    }
}

#if canImport(Glibc)
import Glibc
#endif
