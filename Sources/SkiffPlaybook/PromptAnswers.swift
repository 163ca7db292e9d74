import OrderedCollections
import SkiffCore

/// Answers the plays' `vars_prompt` entries before the run starts, as ansible-playbook does: a variable
/// given with `-e` is not asked for; on a terminal each prompt is asked (twice with `confirm`, without
/// echo when `private`), an empty answer taking the default; without a terminal the default is used,
/// with a warning. Unlike ansible-playbook (which then uses the text "None"), a prompt without a default
/// and without a terminal is an error, before any host is contacted. Answers become play variables;
/// private ones are secrets.
public struct PromptAnswers {
    /// Shows a question and returns the line typed (nil: the input ended); `echo` false hides what is typed.
    public var ask: (_ question: String, _ echo: Bool) -> String?
    /// Whether there is a terminal to ask on.
    public var interactive: Bool
    /// A line for the user: answers that did not match.
    public var tell: (String) -> Void
    /// A warning: the defaults are used for want of a terminal.
    public var warn: (String) -> Void

    public static let mismatch = "***** VALUES ENTERED DO NOT MATCH ****"
    public static let notInteractive = "Not prompting as we are not in interactive mode"

    public init(interactive: Bool, ask: @escaping (String, Bool) -> String?, tell: @escaping (String) -> Void,
                warn: @escaping (String) -> Void) {
        self.interactive = interactive
        self.ask = ask
        self.tell = tell
        self.warn = warn
    }

    /// Fills in every play's prompted variables; throws the prompts that cannot be answered.
    public func answer(_ playbooks: [Playbook], extraVars: OrderedDictionary<String, Value>) throws -> [Playbook] {
        var problems: [Diagnostic] = []
        var warned = false
        var result = playbooks
        for (index, playbook) in playbooks.enumerated() {
            for (playIndex, play) in playbook.plays.enumerated() {
                var play = play
                for prompt in play.prompts where extraVars[prompt.name] == nil {
                    if prompt.isPrivate { play.secretVariables.insert(prompt.name) }
                    if interactive {
                        play.vars[prompt.name] = .string(asked(prompt))
                    } else if let fallback = prompt.defaultText {
                        if !warned { warn(Self.notInteractive) }
                        warned = true
                        play.vars[prompt.name] = .string(fallback)
                    } else {
                        problems.append(Diagnostic(
                            "vars_prompt '\(prompt.name)' has no default and there is no terminal to ask on", at: prompt.location,
                            hint: "give it with -e \(prompt.name)=…, or add a default"))
                    }
                }
                result[index].plays[playIndex] = play
            }
        }
        guard problems.isEmpty else { throw PlaybookError(diagnostics: problems) }
        return result
    }

    /// The defaults only, for listings and syntax checks (nothing is asked, as in ansible-playbook).
    public static func defaults(_ playbooks: [Playbook], extraVars: OrderedDictionary<String, Value>) -> [Playbook] {
        playbooks.map { playbook in
            var playbook = playbook
            for index in playbook.plays.indices {
                for prompt in playbook.plays[index].prompts where extraVars[prompt.name] == nil {
                    playbook.plays[index].vars[prompt.name] = prompt.defaultText.map(Value.string) ?? .null
                }
            }
            return playbook
        }
    }

    private func asked(_ prompt: VariablePrompt) -> String {
        var answer: String
        while true {
            answer = ask(prompt.question, !prompt.isPrivate) ?? ""
            guard prompt.confirm else { break }
            if (ask("confirm " + prompt.question, !prompt.isPrivate) ?? "") == answer { break }
            tell(Self.mismatch)
        }
        if answer.isEmpty, let fallback = prompt.defaultText { return fallback }
        return answer
    }
}
