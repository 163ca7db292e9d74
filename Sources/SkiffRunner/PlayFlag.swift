import SkiffCore
import SkiffPlaybook
import SkiffTemplate

/// A play keyword that is a boolean (`gather_facts`), read as ansible-playbook reads it: templated with the
/// play's vars and the extra vars (`gather_facts: "{{ facts | bool }}"`), then Ansible's booleans — `yes`,
/// `on`, `true`, `y`, `t`, `1` and `no`, `off`, `false`, `n`, `f`, `0` in any case, numbers 1 and 0.
/// Anything else is an error at the play.
enum PlayFlag {
    static func value(_ value: Value?, named name: String, default: Bool, context: TemplateContext, at location: SourceLocation) throws -> Bool {
        guard let value else { return `default` }
        let rendered = try ValueRendering.render(value, context, at: location)
        switch rendered {
        case .bool(let flag): return flag
        case .int(let number) where number == 0 || number == 1: return number == 1
        case .double(let number) where number == 0 || number == 1: return number == 1
        case .string(let text):
            switch text.trimmingCharacters(in: " ").lowercased() {
            case "yes", "on", "true", "y", "t", "1": return true
            case "no", "off", "false", "n", "f", "0": return false
            default: break
            }
        default: break
        }
        throw TemplateError("\(name) must be a boolean, not '\(rendered.text)'", at: location)
    }
}
