import OrderedCollections
import SkiffCore

/// `dnf` (and `yum`, which ansible-core runs as `dnf`): packages present, `latest` or absent with the
/// host's `dnf` (else `yum`) and `rpm`. `rpm -q` tells which packages are installed and `dnf check-update`
/// which have a newer version, so that only what differs is passed to dnf and a second run is ok;
/// groups (`@…`), files and URLs are passed on, and then the change is read from dnf's "Nothing to do".
/// `update_cache` refreshes the metadata first (alone it only reports "Cache updated", unchanged, as
/// Ansible), `enablerepo`/`disablerepo`, `disable_gpg_check`, `conf_file`, `installroot`, `releasever`,
/// `exclude`, `skip_broken`, `allowerasing`, `nobest`, `install_weak_deps` and `autoremove` become dnf
/// options. `list` (installed, available, updates, repos or a package) returns `results` without changing
/// anything. Under `--check` only the questions run. Returns `results` ("Installed: NAME", …), `rc`,
/// `stdout`, `stderr`, `msg`, and `failures` when packages are not found. `use_backend` is accepted and
/// changes nothing: the host's `dnf` (else `yum`) runs.
public enum DnfModule: Module {
    public static let names = ModuleNames.builtin(
        "dnf", also: ["yum", "ansible.builtin.yum", "ansible.legacy.yum", "dnf5", "ansible.builtin.dnf5", "ansible.legacy.dnf5"])
    public static let arguments = ArgumentSpec([
        .list("name", aliases: ["pkg"]), .string("list"),
        .string("state", choices: ["absent", "present", "installed", "removed", "latest"]),
        .bool("update_cache", aliases: ["expire-cache"]), .list("enablerepo"), .list("disablerepo"), .bool("disable_gpg_check"),
        .string("conf_file"), .string("installroot"), .string("releasever"), .list("exclude"), .bool("skip_broken"),
        .bool("allowerasing"), .bool("nobest"), .bool("install_weak_deps"), .bool("autoremove"), .bool("update_only"),
        .string("use_backend", choices: ["auto", "yum", "yum4", "dnf", "dnf4", "dnf5"]),
    ], requiredOneOf: [["name", "list", "update_cache"]], mutuallyExclusive: [["name", "list"]])
    public static let supportsCheckMode = true

    /// Prints the package manager (`dnf` or `yum`), then `installed NAME` or `missing NAME` for each name.
    static let probe = #"""
        m=$(command -v dnf || command -v yum) || { echo "neither dnf nor yum is on the host" >&2; exit 127; }
        echo "${m##*/}"
        for p; do if rpm -q --quiet "$p" 2>/dev/null; then echo "installed $p"; else echo "missing $p"; fi; done
        """#

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let packages = arguments.list("name", aliases: ["pkg"]).filter { !$0.isEmpty }
        if let bad = packages.first(where: { $0.hasPrefix("-") || $0.contains(where: \.isWhitespace) }) {
            throw ModuleError("\(arguments.module): '\(bad)' is not a package name")
        }
        let state: String
        switch arguments.string("state") {
        case "absent", "removed": state = "absent"
        case "latest": state = "latest"
        // As in Ansible: without a state, autoremove means absent.
        case nil where arguments.bool("autoremove"): state = "absent"
        default: state = "present"
        }
        if arguments.bool("autoremove") && state != "absent" {
            throw ModuleError("\(arguments.module): autoremove goes with state: absent")
        }
        let options = try options(arguments)
        let listing = arguments.string("list")
        return ModulePlan(.run(RemoteStep(.argv(["sh", "-c", probe, "sh"] + (listing == nil ? packages.filter { !special($0) } : [])))) { probed in
            let lines = probed.stdoutText.split(separator: "\n").map(String.init)
            guard probed.succeeded, let tool = lines.first, tool == "dnf" || tool == "yum" else {
                return .finish(ModuleOutcome(failed: true, message: "\(arguments.module): \(probed.stderrText.trimmingTrailingNewlines)"))
            }
            let installed = Set(lines.dropFirst().filter { $0.hasPrefix("installed ") }.map { String($0.dropFirst(10)) })
            let work: @Sendable () -> ModuleProgram = {
                if let listing { return list(listing, tool: tool, options: options) }
                guard !packages.isEmpty else { return .finish(ModuleOutcome(message: "Cache updated", result: ["results": .list([]), "rc": .int(0)])) }
                return change(packages, state: state, installed: installed, tool: tool, options: options, arguments)
            }
            guard arguments.bool("update_cache"), !arguments.checkMode else { return work() }
            let refresh = [tool] + options + (tool == "dnf" ? ["--refresh"] : []) + ["makecache"]
            return .run(RemoteStep(.argv(refresh))) { refreshed in
                guard refreshed.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: "Failed to update the cache: \(refreshed.stderrText.trimmingTrailingNewlines)",
                                                 result: ModuleOutcome.commandFields(refreshed, cmd: .string(ShellQuote.join(refresh)))))
                }
                return work()
            }
        })
    }

    /// A name rpm cannot be asked about: a group or module (`@…`), a file, a URL, a wildcard.
    static func special(_ name: String) -> Bool {
        name.hasPrefix("@") || name.contains("/") || name.hasSuffix(".rpm") || name.contains("*") || name.contains("?")
    }

    /// The options every dnf command of the task gets, before its verb.
    static func options(_ arguments: ModuleArguments) throws -> [String] {
        var options = ["-y"]
        if arguments.bool("disable_gpg_check") { options.append("--nogpgcheck") }
        if let file = arguments.string("conf_file") { options += ["-c", file] }
        if let root = arguments.string("installroot") { options.append("--installroot=\(root)") }
        if let release = arguments.string("releasever") { options.append("--releasever=\(release)") }
        options += arguments.list("disablerepo").filter { !$0.isEmpty }.map { "--disablerepo=\($0)" }
        options += arguments.list("enablerepo").filter { !$0.isEmpty }.map { "--enablerepo=\($0)" }
        options += arguments.list("exclude").filter { !$0.isEmpty }.map { "--exclude=\($0)" }
        if arguments.bool("skip_broken") { options.append("--skip-broken") }
        if arguments.bool("allowerasing") { options.append("--allowerasing") }
        if arguments.bool("nobest") { options.append("--nobest") }
        if arguments.values["install_weak_deps"] != nil {
            options.append("--setopt=install_weak_deps=\(arguments.bool("install_weak_deps") ? "True" : "False")")
        }
        if arguments.bool("autoremove") { options.append("--setopt=clean_requirements_on_remove=True") }
        return options
    }

    /// Installs what is missing, upgrades what is older, removes what is there: only what differs.
    static func change(_ packages: [String], state: String, installed: Set<String>, tool: String, options: [String],
                       _ arguments: ModuleArguments) -> ModuleProgram {
        let specials = packages.filter(special)
        let plain = packages.filter { !special($0) }
        if state == "absent" {
            let present = plain.filter(installed.contains) + specials
            return run([(tool, "remove", present, "Removed")], fuzzy: !specials.isEmpty, arguments, options)
        }
        let missing = plain.filter { !installed.contains($0) } + specials
        let onlyUpdates = arguments.bool("update_only")
        guard state == "latest" else { return run([(tool, "install", missing, "Installed")], fuzzy: !specials.isEmpty, arguments, options) }
        let have = plain.filter(installed.contains)
        let everything = packages == ["*"]
        guard !have.isEmpty || everything else {
            return run([(tool, "install", onlyUpdates ? [] : missing, "Installed")], fuzzy: !specials.isEmpty, arguments, options)
        }
        let ask = [tool] + options.filter { $0 != "-y" } + ["-q", "check-update"] + (everything ? [] : have)
        return .run(RemoteStep(.argv(ask))) { checked in
            guard checked.exitStatus == 0 || checked.exitStatus == 100 else {
                return .finish(ModuleOutcome(failed: true, message: "'\(ShellQuote.join(ask))' failed: \(checked.stderrText.trimmingTrailingNewlines)",
                                             result: ModuleOutcome.commandFields(checked, cmd: .string(ShellQuote.join(ask)))))
            }
            let upgrade = checked.exitStatus == 100 ? (everything ? [] : have) : nil
            var steps: [(String, String, [String], String)] = []
            if !everything && !onlyUpdates { steps.append((tool, "install", missing, "Installed")) }
            if let upgrade { steps.append((tool, "upgrade", upgrade, "Upgraded")) }
            return run(steps.filter { !$0.2.isEmpty || $0.1 == "upgrade" }, fuzzy: !specials.isEmpty, arguments, options)
        }
    }

    /// Runs each (tool, verb, names) in turn; `fuzzy`: whether dnf itself decides (groups, files), so the
    /// change is read from its output.
    static func run(_ steps: [(String, String, [String], String)], fuzzy: Bool, _ arguments: ModuleArguments, _ options: [String],
                    results: [Value] = [], changed: Bool = false, last: CommandResult? = nil) -> ModuleProgram {
        let pending = steps.filter { !$0.2.isEmpty || $0.1 == "upgrade" }
        guard let (tool, verb, names, done) = pending.first else {
            var fields: OrderedDictionary<String, Value> = ["results": .list(results), "rc": .int(Int(last?.exitStatus ?? 0))]
            if let last {
                fields["stdout"] = .string(last.stdoutText.trimmingTrailingNewlines)
                fields["stderr"] = .string(last.stderrText.trimmingTrailingNewlines)
            }
            let message = results.isEmpty ? "Nothing to do" : ""
            return .finish(ModuleOutcome(changed: changed, message: message, result: fields))
        }
        let rest = Array(pending.dropFirst())
        let said = results + (names.isEmpty ? [.string("\(done): all")] : names.map { .string("\(done): \($0)") })
        if arguments.checkMode { return run(rest, fuzzy: fuzzy, arguments, options, results: said, changed: true) }
        let argv = [tool] + options + [verb] + names
        return .run(RemoteStep(.argv(argv))) { result in
            guard result.succeeded else {
                var fields = ModuleOutcome.commandFields(result, cmd: .string(ShellQuote.join(argv)))
                let notFound = result.stderrText.split(separator: "\n").compactMap { line -> Value? in
                    guard let range = line.firstRange(of: "No match for argument: ") else { return nil }
                    return .string("No package \(line[range.upperBound...]) available.")
                }
                fields["failures"] = .list(notFound)
                fields["results"] = .list(results)
                let what = verb == "remove" ? "remove" : "install"
                return .finish(ModuleOutcome(failed: true, message: "Failed to \(what) some of the specified packages", result: fields))
            }
            let nothing = fuzzy && (result.stdoutText.contains("Nothing to do") || result.stderrText.contains("Nothing to do"))
            return run(rest, fuzzy: fuzzy, arguments, options, results: nothing ? results : said, changed: changed || !nothing, last: result)
        }
    }

    /// `list`: dnf's listing, one entry per package line (`name`, `arch`, `epoch`, `version`, `release`,
    /// `repo`, `yumstate`), or the repositories for `repos`.
    static func list(_ what: String, tool: String, options: [String]) -> ModuleProgram {
        let quiet = options.filter { $0 != "-y" } + ["-q"]
        let argv: [String]
        switch what {
        case "repos": argv = [tool] + quiet + ["repolist", "--enabled"]
        case "installed", "available": argv = [tool] + quiet + ["list", what]
        case "updates", "upgrades": argv = [tool] + quiet + ["list", "updates"]
        default: argv = [tool] + quiet + ["list", what]
        }
        return .run(RemoteStep(.argv(argv))) { result in
            var fields = ModuleOutcome.commandFields(result, cmd: .string(ShellQuote.join(argv)))
            guard result.succeeded || (what != "repos" && result.exitStatus == 1 && result.stdout.isEmpty) else {
                return .finish(ModuleOutcome(failed: true, message: "'\(ShellQuote.join(argv))' failed", result: fields))
            }
            let rows = result.stdoutText.split(separator: "\n").map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
            if what == "repos" {
                fields["results"] = .list(rows.filter { $0.count >= 2 && $0[0] != "repo" }.map { .dict(["repoid": .string($0[0]), "state": .string("enabled")]) })
            } else {
                fields["results"] = .list(rows.compactMap(packageEntry))
            }
            return .finish(ModuleOutcome(result: fields))
        }
    }

    /// One `name.arch  [epoch:]version-release  repo` line of `dnf list`.
    static func packageEntry(_ columns: [String]) -> Value? {
        guard columns.count == 3, let dot = columns[0].lastIndex(of: "."), let dash = columns[1].lastIndex(of: "-") else { return nil }
        let name = String(columns[0][..<dot])
        let arch = String(columns[0][columns[0].index(after: dot)...])
        var version = String(columns[1][..<dash])
        let release = String(columns[1][columns[1].index(after: dash)...])
        var epoch = "0"
        if let colon = version.firstIndex(of: ":") {
            epoch = String(version[..<colon])
            version = String(version[version.index(after: colon)...])
        }
        let repo = columns[2].hasPrefix("@") ? String(columns[2].dropFirst()) : columns[2]
        return .dict([
            "name": .string(name), "arch": .string(arch), "epoch": .string(epoch), "version": .string(version),
            "release": .string(release), "repo": .string(repo), "yumstate": .string(columns[2].hasPrefix("@") || repo == "installed" ? "installed" : "available"),
            "nevra": .string("\(epoch):\(name)-\(version)-\(release).\(arch)"),
        ])
    }
}
