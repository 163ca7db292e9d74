import Foundation
import OrderedCollections
import SkiffCore
@testable import SkiffPlaybook
import Testing

/// `vars_prompt` as ansible-core 2.19.14 treats it (its Display.do_var_prompt): `private` unless it says
/// otherwise, `Prompt [default]: ` shown, an empty answer takes the default, `confirm` asks until both
/// answers match ("***** VALUES ENTERED DO NOT MATCH ****"), `-e` skips the prompt, and without a terminal
/// the default is used with the warning "Not prompting as we are not in interactive mode".
@Suite("vars_prompt")
struct VariablePromptTests {
    static let playbook = """
        - hosts: all
          gather_facts: false
          vars_prompt:
            - name: release
              prompt: Which release
              default: "1.2.3"
              private: no
            - name: word
              prompt: Word
              confirm: true
            - name: plain
          tasks:
            - debug: msg=hi
        """

    static func load(_ text: String) throws -> Playbook {
        let path = NSTemporaryDirectory() + "prompt-\(UUID().uuidString).yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try PlaybookLoader().load(path)
    }

    /// Answers questions from a script, recording what was asked and whether the answer was echoed.
    final class Script {
        var answers: [String?]
        var asked: [String] = []
        var echoed: [Bool] = []
        var told: [String] = []
        var warned: [String] = []
        init(_ answers: [String?]) { self.answers = answers }

        func prompts(interactive: Bool) -> PromptAnswers {
            PromptAnswers(interactive: interactive, ask: { question, echo in
                self.asked.append(question)
                self.echoed.append(echo)
                return self.answers.isEmpty ? nil : self.answers.removeFirst()
            }, tell: { self.told.append($0) }, warn: { self.warned.append($0) })
        }
    }

    @Test func promptsAreReadWithAnsiblesDefaults() throws {
        let prompts = try Self.load(Self.playbook).plays[0].prompts
        #expect(prompts.map(\.name) == ["release", "word", "plain"])
        #expect(prompts.map(\.isPrivate) == [false, true, true], "private unless it says otherwise")
        #expect(prompts.map(\.question) == ["Which release [1.2.3]: ", "Word: ", "plain: "])
        #expect(prompts[1].confirm && !prompts[0].confirm)
    }

    @Test func onATerminalEachPromptIsAskedAndPrivateAnswersAreSecrets() throws {
        let script = Script(["", "s3cret-word", "typo", "s3cret-word", "s3cret-word", "p"])
        let answered = try script.prompts(interactive: true).answer([try Self.load(Self.playbook)], extraVars: [:])
        let play = answered[0].plays[0]
        #expect(play.vars["release"] == .string("1.2.3"), "an empty answer takes the default")
        #expect(play.vars["word"] == .string("s3cret-word"))
        #expect(play.vars["plain"] == .string("p"))
        #expect(script.asked == ["Which release [1.2.3]: ", "Word: ", "confirm Word: ", "Word: ", "confirm Word: ", "plain: "])
        #expect(script.echoed == [true, false, false, false, false, false], "private answers are not echoed")
        #expect(script.told == [PromptAnswers.mismatch])
        #expect(play.secretVariables == ["word", "plain"])
        #expect(script.warned.isEmpty)
    }

    @Test func extraVarsSkipThePrompt() throws {
        let script = Script(["x"])
        let answered = try script.prompts(interactive: true).answer(
            [try Self.load(Self.playbook)], extraVars: ["release": .string("2.0"), "word": .string("w"), "plain": .string("p")])
        #expect(script.asked.isEmpty)
        #expect(answered[0].plays[0].vars["release"] == nil, "the extra variable itself is used, above play vars")
    }

    @Test func withoutATerminalTheDefaultIsUsedWithAWarning() throws {
        let script = Script([])
        let answered = try script.prompts(interactive: false).answer(
            [try Self.load(Self.playbook)], extraVars: ["word": .string("w"), "plain": .string("p")])
        #expect(answered[0].plays[0].vars["release"] == .string("1.2.3"))
        #expect(script.asked.isEmpty)
        #expect(script.warned == ["Not prompting as we are not in interactive mode"])
    }

    /// ansible-playbook would run with the text "None"; Skiff refuses before any host is contacted.
    @Test func withoutATerminalAPromptWithoutDefaultIsALocatedError() throws {
        let playbook = try Self.load(Self.playbook)
        do {
            _ = try Script([]).prompts(interactive: false).answer([playbook], extraVars: ["plain": .string("p")])
            Issue.record("answered without a terminal")
        } catch let error as PlaybookError {
            #expect(error.diagnostics.count == 1)
            #expect(error.diagnostics.first?.location?.line == 8, "\(error)")
            #expect(error.description.contains("vars_prompt 'word' has no default and there is no terminal"), "\(error)")
            #expect(error.description.contains("-e word="), "\(error)")
        }
    }

    @Test func listingsUseTheDefaultsWithoutAsking() throws {
        let listed = PromptAnswers.defaults([try Self.load(Self.playbook)], extraVars: [:])
        #expect(listed[0].plays[0].vars["release"] == .string("1.2.3"))
        #expect(listed[0].plays[0].vars["word"] == .null)
    }

    @Test func encryptAndEntriesWithoutNameAreLocatedErrors() throws {
        let text = "- hosts: all\n  vars_prompt:\n    - name: pw\n      encrypt: sha512_crypt\n    - prompt: nameless\n  tasks: []\n"
        do {
            _ = try Self.load(text)
            Issue.record("accepted")
        } catch let error as PlaybookError {
            #expect(error.diagnostics.map { $0.location?.line } == [3, 5], "\(error)")
            #expect(error.description.contains("'encrypt' is not supported"), "\(error)")
        }
    }
}
