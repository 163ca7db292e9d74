import OrderedCollections
import SkiffCore

/// `git`: a checkout of `repo` at `version` (a branch, a tag, a commit, or `HEAD`: the remote's default
/// branch) in `dest`, with the host's `git`. The commit `version` names is asked of the remote first
/// (`git ls-remote`), so a checkout already there is ok and nothing is fetched. A clone is made when
/// `dest` has none (`depth` makes it shallow); otherwise the checkout is fetched and moved to the commit
/// (a branch stays checked out as that branch). Local changes to tracked files fail the task unless
/// `force`. `accept_hostkey`, `ssh_opts` and `key_file` go to ssh through `GIT_SSH_COMMAND`. Under
/// `--check` only the questions run. Returns `before` (null without a checkout) and `after`, and
/// `remote_url_changed` when `dest` had a checkout of another URL (its `origin` is set to `repo`).
public enum GitModule: Module {
    public static let names = ModuleNames.builtin("git")
    public static let arguments = ArgumentSpec([
        .string("repo", required: true, aliases: ["name"]), .string("dest", required: true), .string("version", default: "HEAD"),
        .bool("force"), .int("depth"), .bool("accept_hostkey"), .bool("accept_newhostkey"), .string("ssh_opts"),
        .string("key_file"), .string("remote", default: "origin"), .bool("update", default: true), .bool("clone", default: true),
        .string("executable"),
    ], mutuallyExclusive: [["accept_hostkey", "accept_newhostkey"]])
    public static let supportsCheckMode = true

    /// Prints `absent`, `notempty`, or `repo` then HEAD's commit, `dirty`/`clean` and the remote's URL.
    static let probe = """
        if [ -e "$1/.git" ]; then
          echo repo
          git -C "$1" rev-parse HEAD 2>/dev/null || echo none
          if [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null)" ]; then echo dirty; else echo clean; fi
          git -C "$1" remote get-url "$2" 2>/dev/null || echo
        elif [ -d "$1" ] && [ -n "$(ls -A "$1")" ]; then echo notempty
        else echo absent; fi
        """

    /// The commit a version names, from `git ls-remote --symref REPO` lines.
    struct Target: Sendable, Equatable {
        let commit: String
        /// The branch to keep checked out (nil: a tag or a commit, checked out detached).
        let branch: String?
    }

    static func target(_ version: String, lsRemote: String) -> Target? {
        var refs: [String: String] = [:]
        var headBranch: String?
        for line in lsRemote.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0].hasPrefix("ref: refs/heads/"), parts[1] == "HEAD" {
                headBranch = String(parts[0].dropFirst("ref: refs/heads/".count))
            } else {
                refs[parts[1]] = parts[0]
            }
        }
        if version == "HEAD" {
            guard let commit = refs["HEAD"] else { return nil }
            return Target(commit: commit, branch: headBranch)
        }
        if let commit = refs["refs/heads/\(version)"] { return Target(commit: commit, branch: version) }
        if let commit = refs["refs/tags/\(version)^{}"] ?? refs["refs/tags/\(version)"] { return Target(commit: commit, branch: nil) }
        if version.count >= 7, version.count <= 40, version.allSatisfy(\.isHexDigit) {
            return Target(commit: refs.values.first { $0.hasPrefix(version) } ?? version, branch: nil)
        }
        return nil
    }

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let repo = try arguments.required("repo", aliases: ["name"])
        let dest = try arguments.required("dest")
        let version = arguments.string("version") ?? "HEAD"
        let remote = arguments.string("remote") ?? "origin"
        let git = arguments.string("executable") ?? "git"
        let depth = arguments.int("depth").map { ["--depth", String($0)] } ?? []
        var environment = context.environment
        var ssh = ["ssh"]
        if arguments.bool("accept_hostkey") { ssh += ["-o", "StrictHostKeyChecking=no"] }
        if arguments.bool("accept_newhostkey") { ssh += ["-o", "StrictHostKeyChecking=accept-new"] }
        if let key = arguments.string("key_file") { ssh += ["-i", key, "-o", "IdentitiesOnly=yes"] }
        if ssh.count > 1 || arguments.string("ssh_opts") != nil {
            environment["GIT_SSH_COMMAND"] = ([ShellQuote.join(ssh)] + [arguments.string("ssh_opts")].compactMap { $0 }).joined(separator: " ")
        }
        let env = environment
        @Sendable func step(_ argv: [String]) -> RemoteStep { RemoteStep(.argv(argv), environment: env) }
        let checkMode = arguments.checkMode
        let force = arguments.bool("force")

        return ModulePlan(.run(RemoteStep(.argv(["sh", "-c", probe, "sh", dest, remote]))) { probed in
            let lines = probed.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let kind = lines.first ?? ""
            let before: String? = kind == "repo" && lines.count > 1 && lines[1] != "none" ? lines[1] : nil
            var known: OrderedDictionary<String, Value> = ["before": before.map(Value.string) ?? .null]
            if kind == "notempty" {
                return .finish(ModuleOutcome(failed: true, message: "Destination path \(dest) already exists and is not an empty directory.", result: known))
            }
            if kind == "repo", lines.count > 2, lines[2] == "dirty", !force {
                return .finish(ModuleOutcome(failed: true, message: "Local modifications exist in the destination: \(dest) (force=no).", result: known))
            }
            let urlChanged = kind == "repo" && lines.count > 3 && lines[3] != repo
            if kind == "repo" { known["remote_url_changed"] = .bool(urlChanged) }
            let fields = known
            return .run(step([git, "ls-remote", "--symref", repo])) { listed in
                guard listed.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: "Failed to list \(repo): \(listed.stderrText.trimmingTrailingNewlines)", result: fields))
                }
                guard let target = target(version, lsRemote: listed.stdoutText) else {
                    return .finish(ModuleOutcome(failed: true, message: "Cannot find version \(version) in \(repo)", result: fields))
                }
                var result = fields
                result["after"] = .string(target.commit)
                let done = result
                if kind == "repo" && before == target.commit && !urlChanged {
                    return .finish(ModuleOutcome(result: done))
                }
                if checkMode { return .finish(ModuleOutcome(changed: true, result: done)) }
                let checkout = target.branch.map { [git, "-C", dest, "checkout", "--force", "-B", $0, target.commit] }
                    ?? [git, "-C", dest, "checkout", "--force", "--detach", target.commit]
                var steps: [RemoteStep]
                if kind == "repo" {
                    steps = urlChanged ? [step([git, "-C", dest, "remote", "set-url", remote, repo])] : []
                    steps.append(step([git, "-C", dest, "fetch", "--tags", "--force"] + depth + [remote,
                        "+refs/heads/*:refs/remotes/\(remote)/*"]))
                    if target.branch == nil { steps.append(step([git, "-C", dest, "fetch"] + depth + [remote, target.commit])) }
                } else {
                    let branch = target.branch.map { ["--branch", $0] } ?? []
                    steps = [step([git, "clone", "--origin", remote] + depth + branch + [repo, dest])]
                    if target.branch == nil && !depth.isEmpty { steps.append(step([git, "-C", dest, "fetch"] + depth + [remote, target.commit])) }
                }
                steps.append(step(checkout))
                return runAll(steps, fields: done) {
                    .finish(ModuleOutcome(changed: true, result: done))
                }
            }
        })
    }

    static func runAll(_ steps: [RemoteStep], fields: OrderedDictionary<String, Value>, then next: @escaping @Sendable () -> ModuleProgram) -> ModuleProgram {
        guard let first = steps.first else { return next() }
        return .run(first) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: result.stderrText.trimmingTrailingNewlines, result: fields))
            }
            return runAll(Array(steps.dropFirst()), fields: fields, then: next)
        }
    }
}
