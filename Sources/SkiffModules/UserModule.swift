import OrderedCollections
import SkiffCore

/// `user`: creates (`useradd`), changes (`usermod`, only what differs) or removes (`userdel`, with
/// `remove` its home) an account, as ansible-core does on Linux. The password is a crypt hash that
/// never reaches a command line or the output: it travels on stdin, is compared with `/etc/shadow` on
/// the host, and is set with `chpasswd -e`. A `group` or `groups` that does not exist fails the task.
/// Under `--check` only the questions run. Returns `name`, `state`, and for a present account `uid`,
/// `group` (its gid), `groups`, `comment`, `home`, `shell`, `system`, `create_home`.
public enum UserModule: Module {
    public static let names = ModuleNames.builtin("user")
    public static let arguments = ArgumentSpec([
        .string("name", required: true, aliases: ["user"]), .string("state", choices: ["present", "absent"], default: "present"),
        .int("uid"), .bool("non_unique"), .string("group"), .list("groups"), .bool("append"), .string("comment"),
        .string("home"), .string("shell"), .string("password"),
        .string("update_password", choices: ["always", "on_create"], default: "always"),
        .bool("create_home", aliases: ["createhome"], default: true), .string("skeleton"), .bool("system"),
        .bool("remove"), .bool("force"), .bool("move_home"),
    ])
    public static let supportsCheckMode = true

    /// Prints what the host has: `passwd=LINE` (or `absent`), `primary=GROUP`, `supplementary=G,…`, `usergroup=yes` when
    /// a group has the user's name, `missing=G` for each asked group that does not exist, and
    /// `password=same|differs` for the hash read from stdin (the first line; empty: not asked).
    static let probe = #"""
        n=$1
        if line=$(getent passwd "$n"); then
          echo "passwd=$line"
          echo "primary=$(getent group "$(echo "$line" | cut -d: -f4)" | cut -d: -f1)"
          echo "supplementary=$(getent group | awk -F: -v u="$n" '{ c = split($4, m, ","); for (i = 1; i <= c; i++) if (m[i] == u) { printf "%s%s", s, $1; s = "," } }')"
        else echo absent; fi
        if getent group "$n" >/dev/null; then echo usergroup=yes; fi
        shift
        for g in "$@"; do getent group "$g" >/dev/null || echo "missing=$g"; done
        IFS= read -r want || true
        if [ -n "$want" ]; then
          if [ "$(getent shadow "$n" | cut -d: -f2)" = "$want" ]; then echo password=same; else echo password=differs; fi
        fi
        """#

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let name = try arguments.required("name", aliases: ["user"])
        let present = (arguments.string("state") ?? "present") == "present"
        let group = arguments.string("group")
        let groups = arguments.values["groups"] == nil ? nil : arguments.list("groups").filter { !$0.isEmpty }
        let password = present ? arguments.string("password") : nil
        let checked = ([group].compactMap { $0 } + (groups ?? []))
        let probe = RemoteStep(
            .argv(["sh", "-c", probe, "sh", name] + checked),
            stdin: Sensitive(Array(((password ?? "") + "\n").utf8)))
        return ModulePlan(.run(probe) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "cannot read the accounts: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            let facts = Facts(result.stdoutText)
            var fields: OrderedDictionary<String, Value> = ["name": .string(name), "state": .string(present ? "present" : "absent")]
            guard present else {
                fields["force"] = .bool(arguments.bool("force"))
                fields["remove"] = .bool(arguments.bool("remove"))
                guard facts.account != nil else { return .finish(ModuleOutcome(result: fields)) }
                var argv = ["userdel"]
                if arguments.bool("force") { argv.append("-f") }
                if arguments.bool("remove") { argv.append("-r") }
                return act([argv + [name]], checkMode: arguments.checkMode, fields: fields)
            }
            // As ansible-core: under --check an account to create is reported as created at once (its
            // groups may be created by earlier tasks that --check did not run).
            if facts.account == nil && arguments.checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
            if let missing = facts.missing.first {
                return .finish(ModuleOutcome(failed: true, message: "Group \(missing) does not exist", result: fields))
            }
            var commands: [[String]] = []
            var passwordChange = false
            if let account = facts.account {
                if let argv = modify(name, account: account, supplementary: facts.supplementary, arguments, groups: groups) { commands.append(argv) }
                passwordChange = password != nil && facts.password == "differs" && arguments.string("update_password") != "on_create"
            } else {
                commands.append(create(name, arguments, groups: groups, userGroupExists: facts.userGroupExists))
                passwordChange = password != nil
            }
            fields["system"] = .bool(arguments.bool("system"))
            fields["create_home"] = .bool(arguments.bool("create_home", default: true))
            if password != nil { fields["password"] = .string("NOT_LOGGING_PASSWORD") }
            let changed = !commands.isEmpty || passwordChange
            if arguments.checkMode || !changed {
                if let account = facts.account { describe(account, supplementary: facts.supplementary, into: &fields) }
                return .finish(ModuleOutcome(changed: changed, result: fields))
            }
            var steps = commands.map { RemoteStep(.argv($0)) }
            if passwordChange, let password {
                steps.append(RemoteStep(.argv(["chpasswd", "-e"]), stdin: Sensitive(Array("\(name):\(password)\n".utf8))))
            }
            return run(steps, fields: fields) { fields in
                .run(RemoteStep(.argv(["sh", "-c", Self.probe, "sh", name]), stdin: Sensitive([0x0A]))) { after in
                    var fields = fields
                    let now = Facts(after.stdoutText)
                    if let account = now.account { describe(account, supplementary: now.supplementary, into: &fields) }
                    return .finish(ModuleOutcome(changed: true, result: fields))
                }
            }
        })
    }

    /// `useradd` with what the task gives, as ansible-core builds it.
    static func create(_ name: String, _ arguments: ModuleArguments, groups: [String]?, userGroupExists: Bool) -> [String] {
        var argv = ["useradd"]
        if let uid = arguments.int("uid") {
            argv += ["-u", String(uid)]
            if arguments.bool("non_unique") { argv.append("-o") }
        }
        if let group = arguments.string("group") {
            argv += ["-g", group]
        } else if userGroupExists {
            // A group named like the user exists: useradd must not try to create it (USERGROUPS_ENAB).
            argv.append("-N")
        }
        if let groups, !groups.isEmpty { argv += ["-G", groups.joined(separator: ",")] }
        if let comment = arguments.string("comment") { argv += ["-c", comment] }
        if let home = arguments.string("home") { argv += ["-d", home] }
        if let shell = arguments.string("shell") { argv += ["-s", shell] }
        if arguments.bool("create_home", default: true) {
            argv.append("-m")
            if let skeleton = arguments.string("skeleton") { argv += ["-k", skeleton] }
        } else {
            argv.append("-M")
        }
        if arguments.bool("system") { argv.append("-r") }
        return argv + [name]
    }

    /// `usermod` with only what differs, or nil when nothing does.
    static func modify(_ name: String, account: [String], supplementary: [String], _ arguments: ModuleArguments, groups: [String]?) -> [String]? {
        var argv: [String] = []
        if let uid = arguments.int("uid"), String(uid) != account[2] {
            argv += ["-u", String(uid)]
            if arguments.bool("non_unique") { argv.append("-o") }
        }
        if let group = arguments.string("group"), group != account[3], group != account[7] { argv += ["-g", group] }
        if let groups {
            let current = Set(supplementary)
            let append = arguments.bool("append")
            let differs = append ? !Set(groups).isSubset(of: current) : Set(groups) != current
            if differs {
                if append { argv.append("-a") }
                argv += ["-G", groups.joined(separator: ",")]
            }
        }
        if let comment = arguments.string("comment"), comment != account[4] { argv += ["-c", comment] }
        if let home = arguments.string("home"), home != account[5] {
            argv += ["-d", home]
            if arguments.bool("move_home") { argv.append("-m") }
        }
        if let shell = arguments.string("shell"), shell != account[6] { argv += ["-s", shell] }
        return argv.isEmpty ? nil : ["usermod"] + argv + [name]
    }

    /// Runs the steps in order; the first that fails ends the task, failed, with what it said.
    static func run(
        _ steps: [RemoteStep], fields: OrderedDictionary<String, Value>,
        then next: @escaping @Sendable (OrderedDictionary<String, Value>) -> ModuleProgram
    ) -> ModuleProgram {
        guard let first = steps.first else { return next(fields) }
        return .run(first) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(changed: true, failed: true, message: result.stderrText.trimmingTrailingNewlines, result: fields))
            }
            return run(Array(steps.dropFirst()), fields: fields, then: next)
        }
    }

    static func act(_ commands: [[String]], checkMode: Bool, fields: OrderedDictionary<String, Value>) -> ModuleProgram {
        if checkMode { return .finish(ModuleOutcome(changed: true, result: fields)) }
        return run(commands.map { RemoteStep(.argv($0)) }, fields: fields) { .finish(ModuleOutcome(changed: true, result: $0)) }
    }

    static func describe(_ account: [String], supplementary: [String], into fields: inout OrderedDictionary<String, Value>) {
        fields["uid"] = .int(Int(account[2]) ?? -1)
        fields["group"] = .int(Int(account[3]) ?? -1)
        fields["groups"] = .string(supplementary.joined(separator: ","))
        fields["comment"] = .string(account[4])
        fields["home"] = .string(account[5])
        fields["shell"] = .string(account[6])
    }

    /// The probe's answer.
    struct Facts {
        /// The passwd fields (name, x, uid, gid, comment, home, shell), plus the primary group's name.
        var account: [String]?
        var supplementary: [String] = []
        var userGroupExists = false
        var missing: [String] = []
        var password: String?

        init(_ text: String) {
            var primary = ""
            for line in text.split(separator: "\n").map(String.init) {
                guard let equals = line.firstIndex(of: "=") else { continue }
                let value = String(line[line.index(after: equals)...])
                switch line[..<equals] {
                case "passwd":
                    let fields = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    if fields.count >= 7 { account = Array(fields.prefix(7)) + [""] }
                case "primary": primary = value
                case "supplementary": supplementary = value.split(separator: ",").map(String.init)
                case "usergroup": userGroupExists = true
                case "missing": missing.append(value)
                case "password": password = value
                default: break
                }
            }
            if account != nil { account?[7] = primary }
        }
    }
}
