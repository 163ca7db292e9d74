import OrderedCollections
import SkiffCore

/// What differs between two recorded runs (`skiff audit diff A B`): the versions deployed, the playbooks
/// (by SHA-256), the extra vars (secrets are fingerprints in the log, so they compare by fingerprint), the
/// hosts, and per host its result, the files uploaded (by content SHA-256) and what was deployed.
public struct RunComparison: Sendable {
    /// One thing that differs: what, its value in the first run and in the second (nil: absent there).
    public struct Change: Sendable, Equatable {
        public var subject: String
        public var before: String?
        public var after: String?
        /// For an uploaded file whose two contents the logs hold: a unified diff from the first to the second.
        public var diff: String?
    }

    public let first: AuditHistory.Run
    public let second: AuditHistory.Run
    /// Differences that concern the run as a whole.
    public private(set) var run: [Change] = []
    /// Differences per host (hosts of either run, by name).
    public private(set) var hosts: OrderedDictionary<String, [Change]> = [:]

    public init(_ a: RunDetail, _ b: RunDetail) {
        first = a.run
        second = b.run
        run += Self.compare("versions", a.run.versions.joined(separator: ", "), b.run.versions.joined(separator: ", "))
        run += Self.changes(prefix: "playbook ", Self.playbooks(a.run), Self.playbooks(b.run))
        run += Self.changes(prefix: "extra var ", Self.extraVars(a.run), Self.extraVars(b.run))
        let names = Set(Self.hostNames(a)).union(Self.hostNames(b)).sorted()
        for host in names {
            var changes = Self.compare("result", Self.result(of: host, in: a), Self.result(of: host, in: b))
            changes += Self.changes(prefix: "upload ", Self.uploads(of: host, in: a), Self.uploads(of: host, in: b)).map { Self.withDiff($0, a, b) }
            changes += Self.changes(prefix: "deployed ", Self.deployed(of: host, in: a.run), Self.deployed(of: host, in: b.run))
            if !changes.isEmpty { hosts[host] = changes }
        }
    }

    public var isEmpty: Bool { run.isEmpty && hosts.isEmpty }

    private static func compare(_ subject: String, _ before: String?, _ after: String?) -> [Change] {
        before == after ? [] : [Change(subject: subject, before: before, after: after)]
    }

    private static func changes(prefix: String, _ before: OrderedDictionary<String, String>, _ after: OrderedDictionary<String, String>) -> [Change] {
        var keys = Array(before.keys)
        keys += after.keys.filter { before[$0] == nil }
        return keys.flatMap { compare(prefix + $0, before[$0], after[$0]) }
    }

    private static func playbooks(_ run: AuditHistory.Run) -> OrderedDictionary<String, String> {
        var result = OrderedDictionary<String, String>()
        for playbook in run.started["playbooks"]?.listValue ?? [] {
            guard let fields = playbook.dictValue, let path = fields["path"]?.text else { continue }
            result[path] = "sha256 " + (fields["sha256"]?.text ?? "-")
        }
        return result
    }

    private static func extraVars(_ run: AuditHistory.Run) -> OrderedDictionary<String, String> {
        var result = OrderedDictionary<String, String>()
        for (name, value) in run.started["extra_vars"]?.dictValue ?? [:] { result[name] = value.json }
        return result
    }

    private static func hostNames(_ detail: RunDetail) -> [String] {
        Array(detail.hosts.keys) + (detail.run.finished?["hosts"]?.dictValue.map { Array($0.keys) } ?? [])
    }

    /// ok, failed, unreachable (from the recap), or nil when the run did not reach the host.
    private static func result(of host: String, in detail: RunDetail) -> String? {
        guard let counts = detail.run.finished?["hosts"]?.dictValue?[host]?.dictValue else {
            return detail.hosts[host] == nil ? nil : "unfinished"
        }
        if (counts["unreachable"]?.intValue ?? 0) > 0 { return "unreachable" }
        if (counts["failed"]?.intValue ?? 0) > 0 { return "failed" }
        return "ok"
    }

    /// Destination → content SHA-256 of every upload the host's tasks recorded (`upload DEST (mode M, sha256 H)`).
    static func uploads(of host: String, in detail: RunDetail) -> OrderedDictionary<String, String> {
        var result = OrderedDictionary<String, String>()
        for task in detail.hosts[host] ?? [] {
            for command in task["commands"]?.listValue ?? [] {
                let line = command.text
                guard line.hasPrefix("upload "), let open = line.ranges(of: " (mode ").last else { continue }
                let destination = String(line[line.index(line.startIndex, offsetBy: 7)..<open.lowerBound])
                guard !destination.hasPrefix("/tmp/.skiff-become-") else { continue }
                let attributes = line[open.upperBound...].dropLast()
                let sha = attributes.firstRange(of: "sha256 ").map { String(attributes[$0.upperBound...]) } ?? "-"
                result[destination] = "sha256 \(sha)"
            }
        }
        return result
    }

    /// An upload's change with the unified diff of its contents, when both runs recorded them.
    private static func withDiff(_ change: Change, _ a: RunDetail, _ b: RunDetail) -> Change {
        func content(_ value: String?, _ detail: RunDetail) -> String? {
            guard let value, value.hasPrefix("sha256 ") else { return nil }
            let sha256 = String(value.dropFirst(7))
            return detail.files[sha256]
        }
        guard let before = content(change.before, a) ?? content(change.before, b),
              let after = content(change.after, b) ?? content(change.after, a) else { return change }
        var result = change
        result.diff = UnifiedDiff.render(before: before, after: after, path: String(change.subject.dropFirst("upload ".count)))
        return result
    }

    private static func deployed(of host: String, in run: AuditHistory.Run) -> OrderedDictionary<String, String> {
        var result = OrderedDictionary<String, String>()
        for deployment in run.deployed where deployment.host == host {
            result[deployment.project] = ([deployment.version ?? "-"] + deployment.images).joined(separator: " ")
        }
        return result
    }
}
