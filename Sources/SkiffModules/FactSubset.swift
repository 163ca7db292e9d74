import SkiffCore

/// `gather_subset` (the play keyword and the `setup` module's argument), with Ansible's names and rules:
/// `all` (the default), `min`, `hardware`, `network`, `virtual`, … and `!NAME` to leave one out. `min` is
/// gathered unless `!min` is given; `!all` leaves only `min`; a list of exclusions alone starts from `all`;
/// a subset named without `!` is gathered even when an exclusion would drop it. Skiff gathers the facts of
/// the collectors below; a valid name Skiff has no facts for (`virtual`, `selinux`, …) gathers nothing.
public struct FactSubset: Sendable, Equatable {
    /// The collectors Skiff has facts for.
    public enum Collector: String, Sendable, CaseIterable {
        case platform, user, distribution, lsb, dateTime = "date_time", env, pkgMgr = "pkg_mgr", serviceMgr = "service_mgr"
        case hardware, network
    }

    /// The collectors of Ansible's `min` subset that Skiff has facts for.
    static let minimal: Set<Collector> = [.platform, .user, .distribution, .lsb, .dateTime, .env, .pkgMgr, .serviceMgr]

    /// Every name Ansible accepts in `gather_subset` (its collectors and their groups).
    static let validNames: Set<String> = Set(Collector.allCases.map(\.rawValue)).union([
        "all", "min", "apparmor", "caps", "cmdline", "dns", "fips", "local", "python", "selinux", "ssh_pub_keys", "virtual",
        "ohai", "facter", "devices", "dmi", "mounts", "interfaces", "default_ipv4", "all_ipv4_addresses", "all_ipv6_addresses",
        "loadavg", "system", "chroot", "iscsi", "nvme", "fc_wwn", "systemd",
    ])

    /// What is gathered.
    public let collectors: Set<Collector>

    public static let all = FactSubset(collectors: Set(Collector.allCases))

    init(collectors: Set<Collector>) { self.collectors = collectors }

    /// The subset a `gather_subset` value names: a list, or one string of comma-separated names. Throws
    /// for a name Ansible does not know.
    public init(_ value: Value?) throws(ModuleError) {
        let names: [String]
        switch value {
        case nil, .null?: names = ["all"]
        case .list(let items)?: names = items.map(\.text)
        case let value?: names = value.text.split(separator: ",").map(String.init)
        }
        var added = Set<Collector>()
        var explicit = Set<Collector>()
        var excluded = Set<Collector>()
        var anyAdded = false
        for raw in names {
            let name = String(raw.filter { !$0.isWhitespace })
            if name.isEmpty { continue }
            if name.hasPrefix("!") {
                switch String(name.dropFirst()) {
                case "all": excluded.formUnion(Set(Collector.allCases).subtracting(Self.minimal))
                case "min": excluded.formUnion(Self.minimal)
                case let other: Self.collectors(named: other).map { excluded.formUnion($0) }
                }
                continue
            }
            guard Self.validNames.contains(name) else {
                throw ModuleError("Bad subset '\(name)' given to gather_subset: allowed are all, min, \(Self.validNames.subtracting(["all", "min"]).sorted().joined(separator: ", "))")
            }
            anyAdded = true
            switch name {
            case "all": added.formUnion(Collector.allCases)
            case "min": added.formUnion(Self.minimal)
            default:
                let named = Self.collectors(named: name) ?? []
                added.formUnion(named)
                explicit.formUnion(named)
            }
        }
        if !anyAdded { added = Set(Collector.allCases) }
        added.formUnion(Self.minimal)
        collectors = added.subtracting(excluded.subtracting(explicit))
    }

    /// The collectors a name stands for (`default_ipv4` is part of `network`, `interfaces` too).
    static func collectors(named name: String) -> Set<Collector>? {
        if let collector = Collector(rawValue: name) { return [collector] }
        switch name {
        case "default_ipv4", "interfaces", "all_ipv4_addresses", "all_ipv6_addresses": return [.network]
        case "devices", "dmi", "mounts": return [.hardware]
        default: return nil
        }
    }
}
