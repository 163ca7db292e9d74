import Foundation
import OrderedCollections
import SkiffCore
@testable import SkiffModules
import Testing

/// The facts command: `gather_subset` with Ansible's rules, values the same as the command before it
/// read files with shell builtins, and only the asked-for collectors run on the host.
@Suite("facts: subsets and values")
struct FactsTests {
    /// The facts command as it was when it started a process for nearly every fact (about 50 per host,
    /// four `lsb_release`): the reference the cheaper command must agree with.
    static let earlierScript = #"""
        u() { "$@" 2>/dev/null; }
        echo "nodename=$(uname -n)"
        echo "hostname=$(u hostname || uname -n)"
        # As Python's socket.getfqdn(), which Ansible uses: the host name's address, that address's names,
        # the first one with a dot, else the first one.
        h=$(u hostname || uname -n); ip=$(u getent hosts "$h" | awk '{ print $1; exit }'); fq=""
        names=$([ -n "$ip" ] && u getent hosts "$ip" | awk '{ for (i = 2; i <= NF; i++) print $i; exit }')
        for n in $names; do case "$n" in *.*) fq=$n; break ;; esac; done
        [ -n "$fq" ] || fq=$(echo "$names" | head -n 1); echo "fqdn=${fq:-$h}"
        echo "machine=$(uname -m)"
        echo "system=$(uname -s)"
        echo "kernel=$(uname -r)"
        echo "kernel_version=$(uname -v)"
        echo "user_id=$(id -un)"
        echo "user_uid=$(id -u)"
        echo "user_dir=$HOME"
        echo "user_shell=$SHELL"
        echo "vcpus=$(u getconf _NPROCESSORS_ONLN || u nproc)"
        echo "memtotal_kb=$(u awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
        echo "date=$(date '+%Y-%m-%d %H:%M:%S %s %Z %z %A %j %U')"
        echo "utc=$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
        echo "ipv4=$(u ip -4 route get 1.1.1.1 | sed -n 's/.* src \([0-9.]*\).*/\1/p')"
        echo "init=$(u cat /proc/1/comm)"
        for m in apt-get dnf yum apk zypper pacman; do if command -v "$m" >/dev/null 2>&1; then echo "pkg=$m"; break; fi; done
        if [ -r /etc/os-release ]; then (. /etc/os-release; echo "os_id=$ID"; echo "os_like=$ID_LIKE"; echo "os_version=$VERSION_ID"; echo "os_codename=${VERSION_CODENAME:-}"; echo "os_pretty=$PRETTY_NAME"); fi
        if [ -r /etc/debian_version ]; then echo "debian_version=$(cat /etc/debian_version)"; fi
        if command -v lsb_release >/dev/null 2>&1; then echo "lsb_id=$(lsb_release -si)"; echo "lsb_release=$(lsb_release -sr)"; echo "lsb_codename=$(lsb_release -sc)"; echo "lsb_description=$(lsb_release -sd)"; fi
        echo "--env--"
        env
        """#

    static func shell(_ script: String) throws -> String {
        try shell(script, environment: [:])
    }

    @Test func everyFactHasTheValueTheEarlierCommandGave() throws {
        var before = Facts.parse(try Self.shell(Self.earlierScript))
        var after = Facts.parse(try Self.shell(Facts.script()))
        // The clock moved between the two commands: its fields are checked for shape below.
        let dates = (before.removeValue(forKey: "ansible_date_time"), after.removeValue(forKey: "ansible_date_time"))
        // The environment's order is the shell's (its variable table), not a fact: the same names and values.
        let environments = [before, after].map { facts -> [String: Value] in
            guard case .dict(let variables)? = facts["ansible_env"] else { return [:] }
            return Dictionary(uniqueKeysWithValues: variables.map { ($0.key, $0.value) })
        }
        #expect(environments[0] == environments[1] && !environments[0].isEmpty)
        before.removeValue(forKey: "ansible_env")
        after.removeValue(forKey: "ansible_env")
        #expect(after == before)
        #expect(before.count >= 20, "the earlier command gave facts here: \(before.keys)")
        guard case .dict(let old)? = dates.0, case .dict(let new)? = dates.1 else {
            Issue.record("no date_time: \(String(describing: dates))")
            return
        }
        #expect(Array(new.keys) == Array(old.keys))
        #expect(new["tz"] == old["tz"] && new["tz_offset"] == old["tz_offset"])
        let epoch = try #require(new["epoch"].flatMap { Int64($0.text) })
        #expect(new["iso8601"]?.text == Facts.iso8601UTC(epoch))
    }

    @Test func utcTimesFromEpochSecondsAreDateMinusUsOnes() {
        #expect(Facts.iso8601UTC(0) == "1970-01-01T00:00:00Z")
        #expect(Facts.iso8601UTC(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(Facts.iso8601UTC(1_796_083_199) == "2026-11-30T23:59:59Z")
        #expect(Facts.iso8601UTC(4_107_542_400) == "2100-03-01T00:00:00Z")
        #expect(Facts.iso8601UTC(-1) == nil)
        #expect(Facts.iso8601UTC(.max) == nil)
        #expect(Facts.dateTime("2026-11-30 18:00:00 1796061600 CET +0100 Monday 334 48", utc: nil) != .dict([:]))
    }

    @Test func subsetsFollowAnsiblesRules() throws {
        typealias C = FactSubset.Collector
        let minimal: Set<C> = [.platform, .user, .distribution, .lsb, .dateTime, .env, .pkgMgr, .serviceMgr]
        #expect(try FactSubset(nil).collectors == Set(C.allCases))
        #expect(try FactSubset(.string("all")).collectors == Set(C.allCases))
        #expect(try FactSubset(.string("min")).collectors == minimal)
        #expect(try FactSubset(.string("!all")).collectors == minimal)
        #expect(try FactSubset(.list([.string("!all"), .string("!min")])).collectors.isEmpty)
        #expect(try FactSubset(.string("!all,!min,network")).collectors == [.network])
        #expect(try FactSubset(.string("network")).collectors == minimal.union([.network]))
        #expect(try FactSubset(.string("!hardware")).collectors == Set(C.allCases).subtracting([.hardware]))
        #expect(try FactSubset(.list([.string("!all"), .string("hardware")])).collectors == minimal.union([.hardware]))
        #expect(try FactSubset(.string("virtual")).collectors == minimal, "a subset Skiff has no facts for adds none")
        #expect(try FactSubset(.string("!nosuch")).collectors == Set(C.allCases), "an unknown exclusion is ignored, as in Ansible")
        #expect(throws: ModuleError.self) { try FactSubset(.string("nosuch")) }
    }

    @Test func aSubsetRunsOnlyItsCollectors() throws {
        let network = Facts.script(try FactSubset(.string("!all,!min,network")))
        #expect(network.contains("ip -4 route get"))
        for other in ["getent", "lsb_release", "/etc/os-release", "date ", "uname", "\nenv"] { #expect(!network.contains(other), "\(other): \(network)") }
        let facts = Facts.parse(try Self.shell(network), subset: try FactSubset(.string("!all,!min,network")))
        #expect(facts.keys.allSatisfy { $0 == "ansible_default_ipv4" }, "\(facts)")

        let hardware = try FactSubset(.list([.string("!all"), .string("!min"), .string("hardware")]))
        let counted = Facts.parse(try Self.shell(Facts.script(hardware)), subset: hardware)
        #expect(counted["ansible_processor_vcpus"]?.intValue == ProcessInfo.processInfo.activeProcessorCount, "\(counted)")
        #expect(Set(counted.keys) == ["ansible_processor_vcpus", "ansible_memtotal_mb"], "\(counted)")
        #expect(!Facts.parse(try Self.shell(Facts.script(try FactSubset(.string("!all"))))).keys.contains("ansible_processor_vcpus"))
    }

    @Test func setupGathersItsSubsetFiltersAndIsBoundByItsTimeout() throws {
        let plan = try SetupModule.plan(
            ModuleArguments(["gather_subset": .list([.string("!all"), .string("!min"), .string("platform")]), "gather_timeout": .int(7),
                             "filter": .string("ansible_k*")], module: "setup"), ModuleContext())
        #expect(plan.timeout == .seconds(7))
        let walker = ProgramWalker(answers: [("getent", ProgramWalker.result(stdout: "system=Linux\nkernel=6.1.0\nkernel_version=#1 SMP\nnodename=web1\n--env--\n"))])
        let (actions, outcome) = walker.walk(plan)
        #expect(actions.count == 1)
        #expect(outcome.result["ansible_facts"] == .dict(["ansible_kernel": .string("6.1.0"), "ansible_kernel_version": .string("#1 SMP")]), "\(outcome)")
        #expect(throws: ModuleError.self) { try SetupModule.plan(ModuleArguments(["gather_timeout": .int(0)], module: "setup"), ModuleContext()) }
        let failed = ProgramWalker(answers: [("--env--", ProgramWalker.result(1, stderr: "boom"))]).walk(try SetupModule.plan(ModuleArguments([:], module: "setup"), ModuleContext()))
        #expect(failed.outcome.failed)
    }

    /// Runs `script` (`$0`, `$1`… are `arguments`) with `environment` added and returns its output.
    static func shell(_ script: String, arguments: [String] = [], environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Debian's `lsb_release` prints what an os-release file says; Skiff reads that file itself and must
    /// give what the script would have printed, for os-release files that exercise the script's rules
    /// (the first letter upper-cased, NAME when it differs only in case, `n/a` for what is missing).
    @Test func lsbFactsFromOSReleaseAreWhatDebiansLsbReleasePrints() throws {
        let script = try #require(Self.debianLsbRelease(), "the tests need Debian's os-release based lsb_release (package lsb-release)")
        let lsbOnly = try FactSubset(.string("!all,!min,lsb"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-lsb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let releases = [
            "ID=debian\nNAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
            "ID=ubuntu\nNAME=\"Ubuntu\"\nPRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n",
            "ID=\"opensuse-leap\"\nNAME=\"openSUSE Leap\"\nPRETTY_NAME=\"openSUSE Leap 15.5\"\nVERSION_ID=\"15.5\"\n",
            "ID=almalinux\nNAME=\"AlmaLinux\"\nVERSION_ID=\"9.3\"\n",
            "NAME=x\nPRETTY_NAME=\"\"\n",
            #"ID=weird\#nNAME="Weird"\#nPRETTY_NAME="Back\\slash \\c OS"\#nVERSION_ID="1"\#n"#,
            "",
        ]
        for (index, text) in releases.enumerated() {
            let file = directory.appendingPathComponent("os-release-\(index)")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let environment = ["LSB_OS_RELEASE": file.path]
            let printed = try Self.shell("\"$0\" -a 2>/dev/null", arguments: [script], environment: environment)
            let labels = ["Distributor ID": "lsb_id", "Description": "lsb_description", "Release": "lsb_release", "Codename": "lsb_codename"]
            let lines = printed.split(separator: "\n").compactMap { line -> String? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let key = labels[String(parts[0])] else { return nil }
                return key + "=" + parts[1].drop { $0 == "\t" }
            }
            let expected = Facts.parse(lines.joined(separator: "\n"), subset: lsbOnly)
            let output = try Self.shell(Facts.script(lsbOnly), environment: environment)
            #expect(output.contains("lsbos_id="), "the os-release file was read, not lsb_release run: \(output)")
            let facts = Facts.parse(output, subset: lsbOnly)
            #expect(facts["ansible_lsb"] == expected["ansible_lsb"], "os-release \(index): \(text)")
            #expect(expected["ansible_lsb"]?.dictValue?.isEmpty == false)
        }
    }

    /// Any other `lsb_release` (Ubuntu's and older Debian's Python one, RHEL's) is run, and its answer used.
    @Test func anotherLsbReleaseIsRunAndBelieved() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-lsb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = directory.appendingPathComponent("lsb_release")
        // Written by a child process: a descriptor open for writing in this process could be inherited by a
        // child another test forks meanwhile, and running the fake would then fail with "Text file busy".
        _ = try Self.shell("printf '%s' \"$1\" > \"$0\" && chmod 755 \"$0\"", arguments: [
            fake.path,
            "#!/bin/sh\nprintf 'Distributor ID:\\tUbuntu\\nDescription:\\tUbuntu 22.04.3 LTS\\nRelease:\\t22.04\\nCodename:\\tjammy\\n'\n",
        ], environment: [:])
        let lsbOnly = try FactSubset(.string("!all,!min,lsb"))
        let path = directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let facts = Facts.parse(try Self.shell(Facts.script(lsbOnly), environment: ["PATH": path]), subset: lsbOnly)
        #expect(facts["ansible_lsb"] == .dict([
            "id": .string("Ubuntu"), "release": .string("22.04"), "major_release": .string("22"),
            "codename": .string("jammy"), "description": .string("Ubuntu 22.04.3 LTS"),
        ]), "\(facts)")
    }

    /// The path of this machine's `lsb_release` when it is Debian's os-release based script.
    static func debianLsbRelease() -> String? {
        for directory in ["/usr/bin", "/bin"] {
            let path = directory + "/lsb_release"
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains("\"${LSB_OS_RELEASE-x}\"") { return path }
        }
        return nil
    }

    /// The host's fully qualified name comes from /etc/hosts alone when it is there (as Python's getfqdn,
    /// which Ansible uses, finds it): no DNS question, which cost a slow or unreachable name server's
    /// whole timeout on every host. Run in its own UTS and mount namespace with a known host name, an
    /// /etc/hosts that gives it an IPv4 address only and a name server, traced for what it sends.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")))
    func theHostsNameIsLookedUpWithoutAskingDNS() throws {
        let directory = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("skiff-fqdn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "127.0.0.1 localhost\n10.9.8.7 web7.example.test web7\n".write(to: directory.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
        try "nameserver 192.0.2.53\noptions timeout:1 attempts:1\n".write(to: directory.appendingPathComponent("resolv.conf"), atomically: true, encoding: .utf8)
        let platform = try FactSubset(.string("!all,!min,platform"))
        try Facts.script(platform).write(to: directory.appendingPathComponent("facts.sh"), atomically: true, encoding: .utf8)
        let d = directory.path
        let output = try Self.shell("""
            unshare --uts --mount /bin/sh -c 'hostname web7 && mount --bind \(d)/hosts /etc/hosts && mount --bind \(d)/resolv.conf /etc/resolv.conf \\
              && strace -f -qq -e trace=connect -o \(d)/trace /bin/sh \(d)/facts.sh'
            """, environment: [:])
        let facts = Facts.parse(output, subset: platform)
        #expect(facts["ansible_fqdn"] == .string("web7.example.test"), "\(output)")
        #expect(facts["ansible_hostname"] == .string("web7"))
        let trace = try String(contentsOf: directory.appendingPathComponent("trace"), encoding: .utf8)
        #expect(!trace.contains("htons(53)"), "a DNS question was sent: \(trace)")
    }
}
