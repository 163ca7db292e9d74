import OrderedCollections
import SkiffCore

/// `apt_repository`: a one-line `deb`/`deb-src` source present or absent, as ansible-core edits the
/// host's `/etc/apt/sources.list` and `sources.list.d/*.list`: a source that is there (its words
/// compared, whitespace ignored) is left alone, a commented-out one is enabled again, a new one goes to
/// `sources.list.d/FILENAME.list` (by default a name made from its URI, `dl_google_com_linux_chrome_deb.list`)
/// with `mode` (0644); `absent` removes every enabled copy and a file left empty. Only files whose
/// content changes are written, so a second run is ok. After a change `update_cache` (default true) runs
/// `apt-get update`, retried `update_cache_retries` times; when it still fails the files are put back and
/// the task fails. `--check` reads only; `--diff` shows each changed file. Returns `repo`, `state`,
/// `sources_added` and `sources_removed`. PPA shorthands (`ppa:…`) are refused: they need Launchpad (so
/// `codename` changes nothing, nor do `validate_certs` and `install_python_apt`: Skiff needs no Python).
public enum AptRepositoryModule: Module {
    public static let names = ModuleNames.builtin("apt_repository")
    public static let arguments = ArgumentSpec([
        .string("repo", required: true), .string("state", choices: ["absent", "present"], default: "present"), .raw("mode"),
        .bool("update_cache", aliases: ["update-cache"], default: true), .int("update_cache_retries"),
        .int("update_cache_retry_max_delay"), .string("filename"), .string("codename"), .bool("validate_certs"),
        .bool("install_python_apt"),
    ])
    public static let supportsCheckMode = true
    public static let supportsDiff = true

    static let sourcesDirectory = "/etc/apt/sources.list.d"

    /// Prints, for each sources file: its path, the file it resolves to, its mode, its size, then its bytes.
    static let probe = """
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
          [ -f "$f" ] || continue
          case "$f" in *'
        '*) continue ;; esac
          r=$(readlink -f -- "$f") && m=$(stat -c %a -- "$r") && n=$(wc -c < "$f") || exit 1
          printf '%s\\n%s\\n%s\\n%s\\n' "$f" "$r" "$m" "$n"; cat -- "$f"
        done
        """

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let repo = try arguments.required("repo")
        let state = arguments.string("state") ?? "present"
        if repo.hasPrefix("ppa:") {
            throw ModuleError("apt_repository: PPA sources ('\(repo)') need Launchpad, which Skiff does not query; give the 'deb …' line with signed-by")
        }
        guard let source = SourceLine(repo), source.valid, source.enabled else {
            throw ModuleError("apt_repository: Invalid repository string: \(repo)")
        }
        let filename = arguments.string("filename")
        if let filename, filename.isEmpty || filename.contains("/") {
            throw ModuleError("apt_repository: filename '\(filename)' must be a file name in \(sourcesDirectory), without '/'")
        }
        let mode = try arguments.mode()
        let retries = max(1, arguments.int("update_cache_retries") ?? 5)
        let maxDelay = max(0, arguments.int("update_cache_retry_max_delay") ?? 12)
        let fields: OrderedDictionary<String, Value> = ["repo": .string(repo), "state": .string(state)]
        return ModulePlan(.run(RemoteStep(.shell(probe))) { probed in
            guard probed.succeeded, let files = SourcesFiles.parse(probed.stdout) else {
                return .finish(ModuleOutcome(failed: true, message: "cannot read the apt sources: \(probed.stderrText.trimmingTrailingNewlines)", result: fields))
            }
            let newFile = "\(sourcesDirectory)/\(filename.map { "\($0).list" } ?? suggestedFilename(source.source))"
            let changes = state == "present"
                ? files.adding(source.source, newFile: newFile, mode: mode)
                : files.removing(source.source)
            var result = fields
            result["sources_added"] = .list(changes.filter { $0.before == nil }.map { .string($0.path) })
            result["sources_removed"] = .list(changes.filter { $0.after == nil }.map { .string($0.path) })
            let done = result
            guard !changes.isEmpty else { return .finish(ModuleOutcome(result: done)) }
            let diff = arguments.diff
                ? changes.map { UnifiedDiff.render(before: $0.before ?? "", after: $0.after ?? "", path: $0.path) }.joined()
                : nil
            if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: done, diff: diff)) }
            let updated: @Sendable () -> ModuleProgram = {
                guard arguments.bool("update_cache", default: true) else { return .finish(ModuleOutcome(changed: true, result: done, diff: diff)) }
                return updateCache(attempt: 0, retries: retries, maxDelay: maxDelay) { failure in
                    guard let failure else { return .finish(ModuleOutcome(changed: true, result: done, diff: diff)) }
                    let reverted = changes.map { SourcesFiles.Change(path: $0.path, target: $0.target, mode: $0.mode, before: $0.after, after: $0.before) }
                    return write(reverted) {
                        .finish(ModuleOutcome(failed: true, message: "Failed to update apt cache: \(failure)", result: done))
                    }
                }
            }
            return write(changes, then: updated)
        })
    }

    /// Writes (or removes) the changed files, one after another, then continues.
    static func write(_ changes: [SourcesFiles.Change], then next: @escaping @Sendable () -> ModuleProgram) -> ModuleProgram {
        guard let change = changes.first else { return next() }
        let rest = Array(changes.dropFirst())
        guard let after = change.after else {
            return .run(RemoteStep(.argv(["rm", "-f", "--", change.path]))) { _ in write(rest, then: next) }
        }
        return .upload(UploadStep(.bytes(Sensitive(Array(after.utf8))), to: change.target, mode: change.mode)) { write(rest, then: next) }
    }

    /// `apt-get update`, again after a growing pause (1, 2, 4 … seconds, at most `maxDelay`) while it
    /// fails; `next` gets nil, or why the last attempt failed. A fetch that failed fails the update, as
    /// for Ansible, although apt-get only warns.
    static func updateCache(attempt: Int, retries: Int, maxDelay: Int, _ next: @escaping @Sendable (String?) -> ModuleProgram) -> ModuleProgram {
        .run(RemoteStep(.argv(["apt-get", "update"]), environment: AptModule.environment)) { result in
            let stderr = result.stderrText.trimmingTrailingNewlines
            let fetchFailed = stderr.contains("Failed to fetch") || stderr.contains("Some index files failed to download")
            if result.succeeded && !fetchFailed { return next(nil) }
            let reason = stderr.isEmpty ? "unknown reason" : stderr
            guard attempt + 1 < retries else { return next(reason) }
            let delay = min(1 << min(attempt, 16), maxDelay)
            return .run(RemoteStep(.argv(["sleep", String(delay)]))) { _ in
                updateCache(attempt: attempt + 1, retries: retries, maxDelay: maxDelay, next)
            }
        }
    }

    /// The file a new source goes to when no `filename` is given, as Ansible names it: the first word
    /// after the type and options, less its scheme and any `user:password@`, with every run of other
    /// characters than letters and digits made one `_`.
    static func suggestedFilename(_ source: String) -> String {
        var line = source.replacing(#/\[[^\]]+\]/#, with: "")
        line = line.replacing(#/\w+://#, with: "")
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init).filter { $0 != "deb" && $0 != "deb-src" }
        var first = words.first ?? ""
        if let at = first.firstIndex(of: "@") { first = String(first[first.index(after: at)...]) }
        let parts = first.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        return parts.joined(separator: "_") + ".list"
    }
}

/// One line of a one-line-style sources file, read as Ansible reads it: `#` in front disables it, a
/// later `#` starts a comment, and a valid line begins with `deb` or `deb-src`; its words are kept joined
/// by single spaces.
struct SourceLine: Equatable, Sendable {
    var valid: Bool
    var enabled: Bool
    var source: String
    var comment: String

    init?(_ text: String) {
        var line = Substring(text.trimmingCharacters(in: "\n\r \t"))
        enabled = true
        if line.first == "#" {
            enabled = false
            line = line.dropFirst()
        }
        comment = ""
        if let hash = line.firstIndex(of: "#"), hash != line.startIndex {
            comment = String(line[line.index(after: hash)...]).trimmingCharacters(in: " \t")
            line = line[..<hash]
        }
        source = String(line).trimmingCharacters(in: " \t")
        let words = source.split(whereSeparator: { $0 == " " || $0 == "\t" })
        valid = words.first.map { $0 == "deb" || $0 == "deb-src" } ?? false
        if valid { source = words.joined(separator: " ") }
    }

    /// The line as written back.
    var text: String { (enabled ? "" : "# ") + source + (comment.isEmpty ? "" : " # " + comment) + "\n" }
}

/// The host's one-line sources files as read by `AptRepositoryModule.probe`, and the edits that add or
/// remove a source (pure: what to write is decided here, on the controller).
struct SourcesFiles: Sendable {
    struct File: Sendable {
        var path: String
        /// Where writes go: the file a symlink points to.
        var target: String
        var mode: UInt32
        var text: String
    }

    /// A file to write (`after`), create (`before` nil) or remove (`after` nil).
    struct Change: Sendable, Equatable {
        var path: String
        var target: String
        var mode: UInt32
        var before: String?
        var after: String?
    }

    var files: [File]

    /// nil when the probe's output is not what it prints.
    static func parse(_ bytes: [UInt8]) -> SourcesFiles? {
        var files: [File] = []
        var records = ProbeRecords(bytes)
        while !records.atEnd {
            guard let path = records.line(), let target = records.line(), let modeText = records.line(),
                  let mode = UInt32(modeText, radix: 8), let content = records.content() else { return nil }
            files.append(File(path: path, target: target, mode: mode, text: String(decoding: content, as: UTF8.self)))
        }
        return SourcesFiles(files: files)
    }

    /// Every line of a file, parsed.
    static func lines(_ text: String) -> [SourceLine] {
        // "\r\n" is one Character: a file with CRLF line ends splits at it too.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        if text.last == "\n" || text.last == "\r\n" || text.isEmpty { lines.removeLast() }
        return lines.compactMap(SourceLine.init)
    }

    /// A file's lines as Ansible writes them back (and compares them).
    static func render(_ lines: [SourceLine]) -> String { lines.map(\.text).joined() }

    /// Enables every copy of `source` (commented-out ones too); when there is none, appends it to `newFile`.
    func adding(_ source: String, newFile: String, mode: UInt32?) -> [Change] {
        var changes: [Change] = []
        var found = false
        for file in files {
            var lines = Self.lines(file.text)
            for index in lines.indices where lines[index].valid && lines[index].source == source {
                found = true
                lines[index].enabled = true
            }
            let before = Self.render(Self.lines(file.text))
            let after = Self.render(lines)
            if after != before { changes.append(Change(path: file.path, target: file.target, mode: file.mode, before: file.text, after: after)) }
        }
        guard !found else { return changes }
        let added = source + "\n"
        if let file = files.first(where: { $0.path == newFile }) {
            let text = Self.render(Self.lines(file.text)) + added
            return [Change(path: file.path, target: file.target, mode: mode ?? file.mode, before: file.text, after: text)]
        }
        return [Change(path: newFile, target: newFile, mode: mode ?? 0o644, before: nil, after: added)]
    }

    /// Removes every enabled copy of `source`; a file left without lines is removed.
    func removing(_ source: String) -> [Change] {
        files.compactMap { file in
            let lines = Self.lines(file.text)
            let kept = lines.filter { !($0.valid && $0.enabled && $0.source == source) }
            guard kept.count != lines.count else { return nil }
            return Change(path: file.path, target: file.target, mode: file.mode, before: file.text, after: kept.isEmpty ? nil : Self.render(kept))
        }
    }
}
