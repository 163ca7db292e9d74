import SkiffCore

/// Refuses a mapping or a list used as a mapping key. In a playbook that is nearly always a template
/// written without quotes: `msg: {{ version }}` is, to YAML, a mapping whose key is the mapping
/// `{version: null}`, not a template. Ansible refuses such a file when it loads it; so does Skiff, at the
/// mapping's first character, with the fix.
enum UnquotedTemplateCheck {
    static func check(_ root: Node, file: String) throws {
        var pending = [root]
        while let node = pending.popLast() {
            switch node {
            case .scalar, .alias:
                continue
            case .sequence(let sequence):
                pending += sequence
            case .mapping(let mapping):
                for (key, value) in mapping {
                    switch key {
                    case .mapping, .sequence:
                        throw YAMLError(
                            "invalid YAML: a mapping or list used as a key; this is likely a template block written without quotes: "
                                + "write raw: \"{{ some_var }}\", not raw: {{ some_var }}",
                            at: YAMLValue.location(of: node, file: file))
                    default:
                        pending += [value]
                    }
                }
            }
        }
    }
}
