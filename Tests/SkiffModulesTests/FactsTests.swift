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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
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
}
