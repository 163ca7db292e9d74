import OrderedCollections
import SkiffCore

/// Facts with one POSIX shell command per host (no Python on targets): the `ansible_*` variables deploy
/// playbooks use, with the values Ansible's setup module reports. The command reads what it can with
/// shell builtins (`/proc`, `/sys`, `/etc/passwd`, `/etc/os-release`) and starts a program only where no
/// file says the same (`uname -m`, `getent`, `date`, `ip`, `env`; `lsb_release -a` only where it is not
/// Debian's os-release based script): seven programs for every fact, fewer for a smaller `gather_subset`.
public enum Facts {
    /// Prints `key=value` lines, then, when `env` is gathered, the environment after a marker line.
    public static func script(_ subset: FactSubset = .all) -> String {
        var lines: [String] = []
        for collector in FactSubset.Collector.allCases where collector != .env && subset.collectors.contains(collector) {
            lines.append(piece(collector))
        }
        lines.append("echo \"--env--\"")
        if subset.collectors.contains(.env) { lines.append("env") }
        return lines.joined(separator: "\n")
    }

    /// The command for a subset (`timeout` is the task's: `gather_timeout`, 60 s unless set).
    public static func step(_ subset: FactSubset = .all) -> RemoteStep { RemoteStep(.shell(script(subset))) }

    private static func piece(_ collector: FactSubset.Collector) -> String {
        switch collector {
        case .platform:
            // /proc/sys/kernel holds what `uname -s -n -r -v` print (not `-m`: the machine follows the process's
            // personality, `linux32` says i686, as Ansible reports it). fqdn as Python's socket.getfqdn(), which
            // Ansible uses: the host name's address, that address's names, the first with a dot, else the first.
            // The address comes from getaddrinfo (`getent ahosts`), as Python's does: when /etc/hosts names the
            // host with an IPv4 address only, `getent hosts` (IPv6 first) asks DNS as well, and a slow or
            // unreachable name server held every host's facts for its timeout (5 s per attempt). `getent hosts`
            // only where `ahosts` is not a database getent knows (exit 1; 2 is "not found").
            return #"""
                if [ -r /proc/sys/kernel/osrelease ]; then
                  IFS= read -r s < /proc/sys/kernel/ostype; IFS= read -r n < /proc/sys/kernel/hostname
                  IFS= read -r r < /proc/sys/kernel/osrelease; IFS= read -r v < /proc/sys/kernel/version
                else s=$(uname -s); n=$(uname -n); r=$(uname -r); v=$(uname -v); fi
                echo "system=$s"; echo "nodename=$n"; echo "hostname=$n"; echo "kernel=$r"; echo "kernel_version=$v"
                echo "machine=$(uname -m)"
                set -- $(getent ahosts "$n" 2>/dev/null; [ $? -ne 1 ] || getent hosts "$n" 2>/dev/null); a=${1:-}; fq=""; first=""
                if [ -n "$a" ]; then
                  names=$(getent hosts "$a" 2>/dev/null); nl='
                '; set -- ${names%%"$nl"*}; [ $# -gt 0 ] && shift; first=${1:-}
                  for w in "$@"; do case "$w" in *.*) fq=$w; break ;; esac; done
                fi
                echo "fqdn=${fq:-${first:-$n}}"
                """#
        case .user:
            // The effective uid (/proc/self/status), its name from /etc/passwd; `id` where neither says.
            return #"""
                uid=""; un=""
                while IFS=': 	' read -r k real e rest; do [ "$k" = Uid ] && { uid=$e; break; }; done 2>/dev/null < /proc/self/status
                [ -n "$uid" ] || uid=$(id -u)
                while IFS=: read -r name pw u rest; do [ "$u" = "$uid" ] && { un=$name; break; }; done 2>/dev/null < /etc/passwd
                [ -n "$un" ] || un=$(id -un 2>/dev/null)
                echo "user_id=$un"; echo "user_uid=$uid"; echo "user_dir=$HOME"; echo "user_shell=$SHELL"
                """#
        case .hardware:
            // /sys/devices/system/cpu/online ("0-3,6") is what getconf _NPROCESSORS_ONLN counts.
            return #"""
                c=""; ncpu=0
                { IFS= read -r c < /sys/devices/system/cpu/online; } 2>/dev/null
                if [ -n "$c" ]; then
                  o=$IFS; IFS=,
                  for p in $c; do case "$p" in *-*) ncpu=$((ncpu + ${p#*-} - ${p%-*} + 1)) ;; *) ncpu=$((ncpu + 1)) ;; esac; done
                  IFS=$o; echo "vcpus=$ncpu"
                else echo "vcpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)"; fi
                while read -r k kb rest; do [ "$k" = MemTotal: ] && { echo "memtotal_kb=$kb"; break; }; done 2>/dev/null < /proc/meminfo
                """#
        case .dateTime:
            return #"echo "date=$(date '+%Y-%m-%d %H:%M:%S %s %Z %z %A %j %U')""#
        case .network:
            return #"""
                set -- $(ip -4 route get 1.1.1.1 2>/dev/null); src=""
                while [ $# -gt 1 ]; do [ "$1" = src ] && src=$2; shift; done; echo "ipv4=$src"
                """#
        case .serviceMgr:
            return #"i=""; { IFS= read -r i < /proc/1/comm; } 2>/dev/null; echo "init=$i""#
        case .pkgMgr:
            return #"for m in apt-get dnf yum apk zypper pacman; do if command -v "$m" >/dev/null 2>&1; then echo "pkg=$m"; break; fi; done"#
        case .distribution:
            return #"""
                if [ -r /etc/os-release ]; then (. /etc/os-release; printf '%s\n' "os_id=$ID" "os_like=$ID_LIKE" "os_version=$VERSION_ID" "os_codename=${VERSION_CODENAME:-}" "os_pretty=$PRETTY_NAME"); fi
                if [ -r /etc/debian_version ]; then IFS= read -r d < /etc/debian_version; echo "debian_version=$d"; fi
                """#
        case .lsb:
            // Debian 12's `lsb_release` (and later ones) is a shell script that prints what os-release says
            // (`LSB_OS_RELEASE` names its file): then the fields come from that file, read here, and `parse`
            // shapes them as that script does, without its seven processes. Any other `lsb_release` runs once
            // (`-a`, lines `Label:<TAB>value`).
            return #"""
                lp=""; o=$IFS; IFS=:; for d in $PATH; do [ -x "${d:-.}/lsb_release" ] && { lp=${d:-.}/lsb_release; break; }; done; IFS=$o
                if [ -n "$lp" ]; then
                  mini=""; k=0
                  while [ $k -lt 80 ] && IFS= read -r line; do
                    k=$((k + 1)); case "$line" in *'"${LSB_OS_RELEASE-x}"'*) mini=1; break ;; esac
                  done 2>/dev/null < "$lp"
                  if [ -n "$mini" ]; then
                    (f=""; [ -f /usr/lib/os-release ] && f=/usr/lib/os-release; [ -f /etc/os-release ] && f=/etc/os-release
                     [ "${LSB_OS_RELEASE-x}" != x ] && [ -f "$LSB_OS_RELEASE" ] && f=$LSB_OS_RELEASE
                     [ -n "$f" ] && . "$f"
                     printf '%s\n' "lsbos_id=${ID-}" "lsbos_name=${NAME-x}" "lsbos_pretty=${PRETTY_NAME-}" \
                       "lsbos_version=${VERSION_ID-}" "lsbos_codename=${VERSION_CODENAME-}")
                  else
                    l=$("$lp" -a 2>/dev/null); o=$IFS; IFS='
                '
                    for line in $l; do case "$line" in
                      "Distributor ID:"*) printf '%s\n' "lsb_id=${line#*:	}" ;; "Description:"*) printf '%s\n' "lsb_description=${line#*:	}" ;;
                      "Release:"*) printf '%s\n' "lsb_release=${line#*:	}" ;; "Codename:"*) printf '%s\n' "lsb_codename=${line#*:	}" ;;
                    esac; done
                    IFS=$o
                  fi
                fi
                """#
        case .env:
            return ""
        }
    }

    /// Every fact `parse` can give (`FactUsage`: a play that names none of them does not need them).
    public static let gathered: [String] = [
        "architecture", "date_time", "default_ipv4", "distribution", "distribution_major_version", "distribution_release",
        "distribution_version", "env", "fqdn", "hostname", "kernel", "kernel_version", "lsb", "machine", "memtotal_mb", "nodename",
        "os_family", "pkg_mgr", "processor_vcpus", "service_mgr", "system", "user_dir", "user_id", "user_shell", "user_uid",
    ].map { "ansible_" + $0 }

    /// Turns the script's output into `ansible_*` facts (`ansible_lsb` and `ansible_env` are there, maybe
    /// empty, when their collector ran).
    public static func parse(_ output: String, subset: FactSubset = .all) -> OrderedDictionary<String, Value> {
        var raw: [String: String] = [:]
        var environment = OrderedDictionary<String, Value>()
        var inEnvironment = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "--env--" { inEnvironment = true; continue }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            if inEnvironment { environment[key] = .string(value) } else { raw[key] = value }
        }
        var facts = OrderedDictionary<String, Value>()
        func set(_ name: String, _ value: String?) { if let value, !value.isEmpty { facts["ansible_\(name)"] = .string(value) } }
        let fqdn = raw["fqdn"] ?? raw["nodename"] ?? ""
        set("hostname", String((raw["hostname"] ?? fqdn).split(separator: ".").first ?? ""))
        set("fqdn", fqdn)
        set("nodename", raw["nodename"])
        set("architecture", raw["machine"])
        set("machine", raw["machine"])
        set("system", raw["system"])
        set("kernel", raw["kernel"])
        set("kernel_version", raw["kernel_version"])
        set("user_id", raw["user_id"])
        set("user_dir", raw["user_dir"])
        set("user_shell", raw["user_shell"])
        if let uid = raw["user_uid"].flatMap(Int.init) { facts["ansible_user_uid"] = .int(uid) }
        if let vcpus = raw["vcpus"].flatMap(Int.init) { facts["ansible_processor_vcpus"] = .int(vcpus) }
        if let kb = raw["memtotal_kb"].flatMap(Int.init) { facts["ansible_memtotal_mb"] = .int(kb / 1024) }
        set("pkg_mgr", raw["pkg"].map { $0 == "apt-get" ? "apt" : $0 })
        set("service_mgr", raw["init"].map { $0 == "init" ? "sysvinit" : $0 })
        let distribution = distributionName(raw["os_id"] ?? "")
        set("distribution", distribution)
        let version = raw["os_id"] == "debian" ? (raw["debian_version"] ?? raw["os_version"]) : raw["os_version"]
        set("distribution_version", version)
        set("distribution_major_version", version.map { String($0.split(separator: ".").first ?? "") })
        set("distribution_release", raw["os_codename"])
        set("os_family", osFamily(raw["os_id"] ?? "", like: raw["os_like"] ?? ""))
        if let address = raw["ipv4"], !address.isEmpty { facts["ansible_default_ipv4"] = .dict(["address": .string(address)]) }
        if raw["lsbos_name"] != nil { raw.merge(lsbFromOSRelease(raw)) { _, derived in derived } }
        var lsb = OrderedDictionary<String, Value>()
        if let id = raw["lsb_id"] { lsb["id"] = .string(id) }
        if let release = raw["lsb_release"] {
            lsb["release"] = .string(release)
            lsb["major_release"] = .string(String(release.split(separator: ".").first ?? ""))
        }
        if let codename = raw["lsb_codename"] { lsb["codename"] = .string(codename) }
        if let description = raw["lsb_description"] { lsb["description"] = .string(description) }
        if subset.collectors.contains(.lsb) { facts["ansible_lsb"] = .dict(lsb) }
        if subset.collectors.contains(.env) { facts["ansible_env"] = .dict(environment) }
        if let date = raw["date"] { facts["ansible_date_time"] = dateTime(date, utc: raw["utc"]) }
        return facts
    }

    /// What Debian's os-release based `lsb_release -a` prints, from the fields it reads: `ID` with its first
    /// letter upper-cased (or `NAME` when the two differ only in case), `PRETTY_NAME`, `VERSION_ID`,
    /// `VERSION_CODENAME`, each `n/a` when empty. `lsbos_name` is `x` when os-release has no `NAME`, as the
    /// script tests it. Only ASCII letters change case, as its `tr` does in its C.UTF-8 locale.
    static func lsbFromOSRelease(_ raw: [String: String]) -> [String: String] {
        func ascii(_ text: String, upper: Bool) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
                let range: ClosedRange<Unicode.Scalar> = upper ? "a"..."z" : "A"..."Z"
                guard range.contains(scalar), let changed = Unicode.Scalar(upper ? scalar.value - 32 : scalar.value + 32) else { return scalar }
                return changed
            }))
        }
        let osID = raw["lsbos_id"] ?? ""
        var id = ascii(String(osID.prefix(1)), upper: true) + osID.dropFirst()
        if let name = raw["lsbos_name"], name != "x", ascii(id, upper: false) == ascii(name, upper: false) { id = name }
        func field(_ value: String?) -> String { (value ?? "").isEmpty ? "n/a" : value ?? "n/a" }
        return [
            "lsb_id": field(id), "lsb_description": field(raw["lsbos_pretty"]),
            "lsb_release": field(raw["lsbos_version"]), "lsb_codename": field(raw["lsbos_codename"]),
        ]
    }

    static func distributionName(_ id: String) -> String {
        let names = [
            "debian": "Debian", "ubuntu": "Ubuntu", "centos": "CentOS", "rhel": "RedHat", "fedora": "Fedora",
            "rocky": "Rocky", "almalinux": "AlmaLinux", "amzn": "Amazon", "alpine": "Alpine", "arch": "Archlinux",
            "opensuse-leap": "openSUSE Leap", "sles": "SLES", "ol": "OracleLinux",
        ]
        return names[id] ?? id.capitalized
    }

    static func osFamily(_ id: String, like: String) -> String {
        let ids = [id] + like.split(separator: " ").map(String.init)
        if ids.contains(where: { ["debian", "ubuntu"].contains($0) }) { return "Debian" }
        if ids.contains(where: { ["rhel", "fedora", "centos", "rocky", "almalinux", "amzn", "ol"].contains($0) }) { return "RedHat" }
        if ids.contains("alpine") { return "Alpine" }
        if ids.contains(where: { $0.hasPrefix("opensuse") || $0 == "sles" || $0 == "suse" }) { return "Suse" }
        if ids.contains("arch") { return "Archlinux" }
        return distributionName(id)
    }

    /// `date '+%Y-%m-%d %H:%M:%S %s %Z %z %A %j %U'` into Ansible's `ansible_date_time`; `iso8601` is the
    /// same instant in UTC (`utc`, else computed from the epoch seconds).
    static func dateTime(_ text: String, utc: String?) -> Value {
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count >= 8 else { return .dict([:]) }
        let date = parts[0].split(separator: "-").map(String.init)
        let time = parts[1].split(separator: ":").map(String.init)
        guard date.count == 3, time.count == 3 else { return .dict([:]) }
        var result: OrderedDictionary<String, Value> = [
            "date": .string(parts[0]), "time": .string(parts[1]), "epoch": .string(parts[2]),
            "year": .string(date[0]), "month": .string(date[1]), "day": .string(date[2]),
            "hour": .string(time[0]), "minute": .string(time[1]), "second": .string(time[2]),
            "tz": .string(parts[3]), "tz_offset": .string(parts[4]), "weekday": .string(parts[5]),
            "julian_day": .string(parts[6]), "weeknumber": .string(parts[7]),
        ]
        if let iso8601 = utc ?? Int64(parts[2]).flatMap(iso8601UTC) { result["iso8601"] = .string(iso8601) }
        return .dict(result)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970 (the proleptic Gregorian calendar, as `date -u`).
    static func iso8601UTC(_ epoch: Int64) -> String? {
        guard (0...253_402_300_799).contains(epoch) else { return nil }
        let days = epoch / 86_400, seconds = epoch % 86_400
        // Days since 1970-01-01 to a civil date, counting in 400-year eras from 0000-03-01.
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year4 = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(year4)-\(two(month))-\(two(day))T\(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
    }
}
