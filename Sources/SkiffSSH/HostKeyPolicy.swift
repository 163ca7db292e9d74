/// What to do with a host key that known_hosts does not vouch for.
public enum HostKeyPolicy: Sendable, Equatable {
    /// Unknown or changed keys are refused (the default).
    case strict
    /// Unknown keys are accepted and appended to the known_hosts file; changed keys are still refused.
    case acceptNew
    /// No check at all: any server, including an attacker in the middle, is believed.
    /// Named so that nobody picks it by accident.
    case insecureAcceptAnyHostKey

    /// Parses the CLI / config spelling: `strict`, `accept-new`, `off` (also Ansible's `false`/`no`).
    public init?(option: String) {
        switch option.lowercased() {
        case "strict", "yes", "true": self = .strict
        case "accept-new": self = .acceptNew
        case "off", "no", "false": self = .insecureAcceptAnyHostKey
        default: return nil
        }
    }
}
