import OrderedCollections
import SkiffCore

/// `apt`: packages present (`name=VERSION` pins a version), `latest` or `absent` (with `purge`,
/// `autoremove`), or a `deb` file on the host, with the host's `apt-get`, `apt-cache` and `dpkg-query`, as ansible-core decides:
/// only packages that are missing, older than the candidate (`latest`) or installed (`absent`) are
/// passed to apt-get, so a second run is ok. `update_cache` runs `apt-get update` unless the cache is
/// younger than `cache_valid_time` seconds; `install_recommends` sets `APT::Install-Recommends`.
/// Under `--check` only the questions run. Returns `cache_updated`, `cache_update_time`, and apt-get's
/// `stdout`/`stderr` when it ran.
public enum AptModule: Module {
    public static let names = ModuleNames.builtin("apt")
    public static let arguments = ArgumentSpec([
        .list("name", aliases: ["package", "pkg"]), .string("state", choices: ["absent", "latest", "present"], default: "present"),
        .bool("update_cache", aliases: ["update-cache"]), .int("cache_valid_time"),
        .bool("install_recommends", aliases: ["install-recommends"]), .bool("purge"), .bool("autoremove"),
        .string("dpkg_options", default: "force-confdef,force-confold"), .bool("allow_downgrade"), .string("deb"),
    ], requiredOneOf: [["name", "update_cache", "deb"]], mutuallyExclusive: [["name", "deb"]])
    public static let supportsCheckMode = true

    static let environment: OrderedDictionary<String, String> = ["DEBIAN_FRONTEND": "noninteractive", "DEBCONF_NONINTERACTIVE_SEEN": "true"]

    /// Prints the cache's age as `MTIME NOW` (the update-success stamp, else the lists directory).
    static let cacheProbe = """
        m=$(stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0)
        echo "$m $(date +%s)"
        """

    /// Prints `NAME|STATUS VERSION|CANDIDATE` for each package named (status `ii` is installed).
    static let packageProbe = #"""
        for p; do
          n=${p%%=*}
          i=$(dpkg-query -W -f '${db:Status-Abbrev} ${Version}' "$n" 2>/dev/null)
          c=$(apt-cache policy "$n" 2>/dev/null | sed -n 's/^ *Candidate: //p')
          echo "$n|$i|$c"
        done
        """#

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let packages = arguments.list("name", aliases: ["package", "pkg"]).filter { !$0.isEmpty }
        let state = arguments.string("state") ?? "present"
        let validTime = arguments.int("cache_valid_time") ?? 0
        let wantsUpdate = arguments.bool("update_cache") || validTime > 0
        if let bad = packages.first(where: { $0.hasPrefix("-") || $0.contains(where: \.isWhitespace) }) {
            throw ModuleError("apt: '\(bad)' is not a package name")
        }
        let deb = arguments.string("deb")
        let install = deb.map { debProgram($0, arguments) } ?? installProgram(packages, state: state, arguments)
        let idle = packages.isEmpty && deb == nil
        guard wantsUpdate else { return ModulePlan(install(["cache_updated": .bool(false)])) }
        return ModulePlan(.run(RemoteStep(.argv(["sh", "-c", cacheProbe]))) { probed in
            let times = probed.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
            let (mtime, now) = times.count == 2 ? (times[0], times[1]) : (0, 0)
            if mtime + validTime >= now && mtime > 0 {
                let fields: OrderedDictionary<String, Value> = ["cache_updated": .bool(false), "cache_update_time": .int(mtime)]
                return idle ? .finish(ModuleOutcome(result: fields)) : install(fields)
            }
            if arguments.checkMode {
                let fields: OrderedDictionary<String, Value> = ["cache_updated": .bool(true), "cache_update_time": .int(mtime)]
                return idle ? .finish(ModuleOutcome(changed: true, result: fields)) : install(fields)
            }
            return .run(RemoteStep(.argv(["apt-get", "update"]), environment: environment)) { updated in
                guard updated.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: "Failed to update apt cache: \(updated.stderrText.trimmingTrailingNewlines)"))
                }
                return .run(RemoteStep(.argv(["sh", "-c", cacheProbe]))) { after in
                    let later = after.stdoutText.split(separator: " ").first.flatMap { Int($0) } ?? mtime
                    let fields: OrderedDictionary<String, Value> = ["cache_updated": .bool(later != mtime), "cache_update_time": .int(later)]
                    return idle ? .finish(ModuleOutcome(changed: later != mtime, result: fields)) : install(fields)
                }
            }
        })
    }

    /// The packages' part: ask what is installed and what apt would install, then do only what differs.
    static func installProgram(_ packages: [String], state: String, _ arguments: ModuleArguments)
        -> @Sendable (OrderedDictionary<String, Value>) -> ModuleProgram
    {
        { fields in
            guard !packages.isEmpty else { return .finish(ModuleOutcome(result: fields)) }
            return .run(RemoteStep(.argv(["sh", "-c", packageProbe, "sh"] + packages))) { probed in
                guard probed.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: probed.stderrText.trimmingTrailingNewlines, result: fields))
                }
                let known = Dictionary(probed.stdoutText.split(separator: "\n").compactMap { line -> (String, (installed: String?, candidate: String?))? in
                    let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 3 else { return nil }
                    let status = parts[1].split(separator: " ", maxSplits: 1).map(String.init)
                    let installed = status.first?.hasPrefix("ii") == true && status.count == 2 ? status[1] : nil
                    let candidate = parts[2].isEmpty || parts[2] == "(none)" ? nil : parts[2]
                    return (parts[0], (installed, candidate))
                }, uniquingKeysWith: { first, _ in first })
                var chosen: [String] = []
                for package in packages {
                    let name = String(package.prefix { $0 != "=" })
                    let pinned = package.contains("=") ? String(package.drop { $0 != "=" }.dropFirst()) : nil
                    let info = known[name] ?? (nil, nil)
                    switch state {
                    case "absent":
                        if info.installed != nil { chosen.append(name) }
                    default:
                        if info.installed == nil && info.candidate == nil {
                            return .finish(ModuleOutcome(failed: true, message: "No package matching '\(name)' is available", result: fields))
                        }
                        if let pinned {
                            if info.installed != pinned { chosen.append(package) }
                        } else if info.installed == nil || (state == "latest" && info.candidate != nil && info.installed != info.candidate) {
                            chosen.append(name)
                        }
                    }
                }
                guard !chosen.isEmpty else { return .finish(ModuleOutcome(result: fields)) }
                if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
                let named = chosen.joined(separator: " ")
                return .run(RemoteStep(.argv(command(chosen, state: state, arguments)), environment: environment)) { result in
                    var done = fields
                    done["stdout"] = .string(result.stdoutText.trimmingTrailingNewlines)
                    done["stderr"] = .string(result.stderrText.trimmingTrailingNewlines)
                    guard result.succeeded else {
                        let verb = state == "absent" ? "remove" : "install"
                        return .finish(ModuleOutcome(failed: true, message: "'apt-get \(verb) \(named)' failed: \(result.stderrText.trimmingTrailingNewlines)", result: done))
                    }
                    return .finish(ModuleOutcome(changed: true, result: done))
                }
            }
        }
    }

    /// Prints the .deb's package and version, then the version installed (empty when none).
    static let debProbe = #"""
        p=$(dpkg-deb -f "$1" Package) && v=$(dpkg-deb -f "$1" Version) || exit 1
        echo "$p"; echo "$v"
        dpkg-query -W -f '${db:Status-Abbrev} ${Version}' "$p" 2>/dev/null | sed -n 's/^ii *//p'
        """#

    /// `deb`: a package file on the host, installed with its dependencies (apt-get) unless that
    /// version is installed.
    static func debProgram(_ deb: String, _ arguments: ModuleArguments) -> @Sendable (OrderedDictionary<String, Value>) -> ModuleProgram {
        let path = deb.hasPrefix("/") ? deb : "./" + deb
        return { fields in
            .run(RemoteStep(.argv(["sh", "-c", debProbe, "sh", path]))) { probed in
                let lines = probed.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                guard probed.succeeded, lines.count >= 2 else {
                    return .finish(ModuleOutcome(failed: true, message: "Unable to read \(deb): \(probed.stderrText.trimmingTrailingNewlines)", result: fields))
                }
                if lines.count > 2, lines[2] == lines[1] { return .finish(ModuleOutcome(result: fields)) }
                if arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
                return .run(RemoteStep(.argv(command([path], state: "present", arguments)), environment: environment)) { result in
                    var done = fields
                    done["stdout"] = .string(result.stdoutText.trimmingTrailingNewlines)
                    done["stderr"] = .string(result.stderrText.trimmingTrailingNewlines)
                    return .finish(ModuleOutcome(
                        changed: result.succeeded, failed: !result.succeeded,
                        message: result.succeeded ? nil : "Unable to install \(deb): \(result.stderrText.trimmingTrailingNewlines)", result: done))
                }
            }
        }
    }

    /// The apt-get command, as ansible-core builds it.
    static func command(_ packages: [String], state: String, _ arguments: ModuleArguments) -> [String] {
        var argv = ["apt-get", "-y"]
        for option in (arguments.string("dpkg_options") ?? "force-confdef,force-confold").split(separator: ",") {
            argv += ["-o", "Dpkg::Options::=--\(option)"]
        }
        if state == "absent" {
            argv.append("remove")
            if arguments.bool("purge") { argv.append("--purge") }
        } else {
            argv.append("install")
            if arguments.values["install_recommends"] != nil {
                argv += ["-o", "APT::Install-Recommends=\(arguments.bool("install_recommends") ? "yes" : "no")"]
            }
            if arguments.bool("allow_downgrade") { argv.append("--allow-downgrades") }
        }
        if arguments.bool("autoremove") { argv.append("--auto-remove") }
        return argv + packages
    }
}
