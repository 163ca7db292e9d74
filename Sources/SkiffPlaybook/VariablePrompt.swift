import OrderedCollections
import SkiffCore
import SkiffYAML

/// One entry of a play's `vars_prompt`: a variable asked for on the terminal before the run starts.
public struct VariablePrompt: Sendable, Equatable {
    public let name: String
    /// What is shown (`prompt:`, else the name).
    public let prompt: String
    /// `default:` as text; used when the answer is empty, or when there is no terminal.
    public let defaultText: String?
    /// `private:` (true unless it says otherwise, as in Ansible): what is typed is not shown, and the value
    /// is a secret (masked in output, fingerprinted in the audit log).
    public let isPrivate: Bool
    /// `confirm:`: asked twice, until both answers are the same.
    public let confirm: Bool
    public let location: SourceLocation

    /// The line shown when asking, as ansible-playbook shows it: `Prompt [default]: `.
    public var question: String {
        let shown = prompt.isEmpty ? "input for \(name)" : prompt
        return defaultText.map { "\(shown) [\($0)]: " } ?? "\(shown): "
    }
}

extension LoadSession {
    /// A play's `vars_prompt` list. `encrypt` (a crypted password) is refused: Skiff does not compute
    /// crypt(3) hashes; `salt`, `salt_size` and `unsafe` are accepted and change nothing.
    func variablePrompts(_ node: Node, file: String) -> [VariablePrompt] {
        if YAMLValue.isNull(node) { return [] }
        guard case .sequence(let entries) = node else {
            report("'vars_prompt' must be a list of prompts (- name: …)", at: location(node, file))
            return []
        }
        var prompts: [VariablePrompt] = []
        for entry in entries {
            guard case .dict(let fields)? = try? YAMLValue.value(of: entry, file: file),
                case .string(let name)? = fields["name"], !name.isEmpty
            else {
                report("a vars_prompt entry needs a 'name'", at: location(entry, file))
                continue
            }
            if fields["encrypt"] != nil && fields["encrypt"] != .null {
                report("vars_prompt '\(name)': 'encrypt' is not supported", at: location(entry, file),
                       hint: "hash the value in a task, or pass it already hashed with -e \(name)=…")
                continue
            }
            prompts.append(VariablePrompt(
                name: name, prompt: fields["prompt"].map(Self.pythonText) ?? name,
                defaultText: fields["default"].flatMap { $0 == .null ? nil : Self.pythonText($0) },
                isPrivate: fields["private"].map(Self.truth) ?? true, confirm: fields["confirm"].map(Self.truth) ?? false,
                location: location(entry, file)))
        }
        return prompts
    }

    /// A scalar as Python's str() writes it (`True`, `5`), which is how Ansible turns a default into text.
    static func pythonText(_ value: Value) -> String {
        switch value {
        case .bool(let flag): return flag ? "True" : "False"
        default: return value.text
        }
    }

    static func truth(_ value: Value) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .string(let text): return ["yes", "true", "on", "1", "y", "t"].contains(text.lowercased())
        default: return false
        }
    }
}
