import OrderedCollections
import SkiffCore
import SkiffModules

/// Facts with one POSIX shell command per host (no Python on targets): the `ansible_*` variables deploy
/// playbooks use, with the values Ansible's setup module reports.
enum Facts {
    /// Prints `key=value` lines, then the environment after a marker line.
    static let script = #"""
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

    static let step = RemoteStep(.shell(script))

    /// Every fact `parse` can give (`FactUsage`: a play that names none of them does not need them).
    static let gathered: [String] = [
        "architecture", "date_time", "default_ipv4", "distribution", "distribution_major_version", "distribution_release",
        "distribution_version", "env", "fqdn", "hostname", "kernel", "kernel_version", "lsb", "machine", "memtotal_mb", "nodename",
        "os_family", "pkg_mgr", "processor_vcpus", "service_mgr", "system", "user_dir", "user_id", "user_shell", "user_uid",
    ].map { "ansible_" + $0 }

    /// Turns the script's output into `ansible_*` facts.
    static func parse(_ output: String) -> OrderedDictionary<String, Value> {
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
        var lsb = OrderedDictionary<String, Value>()
        if let id = raw["lsb_id"] { lsb["id"] = .string(id) }
        if let release = raw["lsb_release"] {
            lsb["release"] = .string(release)
            lsb["major_release"] = .string(String(release.split(separator: ".").first ?? ""))
        }
        if let codename = raw["lsb_codename"] { lsb["codename"] = .string(codename) }
        if let description = raw["lsb_description"] { lsb["description"] = .string(description) }
        facts["ansible_lsb"] = .dict(lsb)
        facts["ansible_env"] = .dict(environment)
        if let date = raw["date"] { facts["ansible_date_time"] = dateTime(date, utc: raw["utc"]) }
        return facts
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

    /// `date '+%Y-%m-%d %H:%M:%S %s %Z %z %A %j %U'` into Ansible's `ansible_date_time`.
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
        if let utc { result["iso8601"] = .string(utc) }
        return .dict(result)
    }
}
