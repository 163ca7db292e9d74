import OrderedCollections
import SkiffCore

/// The controller's environment variables a playbook reads with `lookup('env', 'NAME')` (also `query`,
/// `q` and `ansible.builtin.env`), where the name is written literally in a template. A CI job hands
/// secrets to a deploy this way (`lookup('env', 'REGISTRY_PASSWORD')`): the run treats the values of
/// such names that look secret as secrets whatever variable holds them. A name computed at run time
/// (`lookup('env', some_var)`) is not seen here.
public enum EnvironmentLookups {
    /// Every name looked up in the playbook: plays, their vars and vars files, roles, blocks, tasks, handlers.
    public static func names(in playbook: Playbook) -> Set<String> {
        var names = Set<String>()
        for play in playbook.plays {
            let (tasks, values) = play.contents
            for value in values { names.formUnion(self.names(in: value)) }
            for task in tasks {
                names.formUnion(self.names(in: .dict(task.arguments)))
                names.formUnion(self.names(in: .dict(task.keywords)))
            }
        }
        return names
    }

    /// The names looked up in the templates of a value (strings, at any depth).
    public static func names(in value: Value) -> Set<String> {
        switch value {
        case .string(let text): return names(inTemplate: text)
        case .list(let items): return items.reduce(into: Set<String>()) { $0.formUnion(names(in: $1)) }
        case .dict(let dict): return dict.values.reduce(into: Set<String>()) { $0.formUnion(names(in: $1)) }
        default: return []
        }
    }

    /// `lookup('env', 'A', "B")` → A, B.
    static func names(inTemplate text: String) -> Set<String> {
        guard text.contains("env") else { return [] }
        var names = Set<String>()
        let call = #/(?:lookup|query|q)\(\s*['"](?:ansible\.builtin\.)?env['"]((?:\s*,\s*(?:'[^']*'|"[^"]*"))+)/#
        let quoted = #/'([^']*)'|"([^"]*)"/#
        for match in text.matches(of: call) {
            for name in match.output.1.matches(of: quoted) {
                if let single = name.output.1 { names.insert(String(single)) } else if let double = name.output.2 { names.insert(String(double)) }
            }
        }
        return names
    }
}
