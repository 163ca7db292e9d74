import Foundation
import SkiffTestSupport
import Testing

/// `vars_prompt` on a real terminal (a pty made by util-linux `script`): the questions ansible-playbook
/// asks, the default on an empty answer, `confirm`, and a private answer masked wherever it is shown.
@Suite("vars_prompt on a terminal")
struct VarsPromptTerminalTests {
    static let playbook = """
        - hosts: all
          gather_facts: false
          vars_prompt:
            - name: release
              prompt: Which release
              default: "1.2.3"
              private: false
            - name: word
              prompt: Word
              confirm: true
          tasks:
            - debug:
                msg: "release={{ release }} word={{ word }}"
        """

    /// Runs skiff under `script`, answering each question once it shows; returns the exit status and
    /// everything the terminal showed.
    static func converse(_ arguments: [String], answers: [(question: String, answer: String)], environment: [String: String]) async throws -> (Int32, String) {
        let files = try ScratchDirectory("prompt")
        let transcript = files.file("terminal.txt")
        let command = ([ExecCommandTests.skiff] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try await offPool {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw Shell.Failure(command: ["pipe"], status: errno, output: "") }
            let pid = try Shell.spawn(["script", "-qfec", command, transcript], stdin: fds[0], environment: environment)
            close(fds[0])
            defer { close(fds[1]) }
            func shown() -> String { (try? String(contentsOfFile: transcript, encoding: .utf8)) ?? "" }
            for (index, step) in answers.enumerated() {
                // The question's index-th appearance (a confirm question repeats it).
                let deadline = Date().addingTimeInterval(60)
                let before = answers[..<index].filter { $0.question == step.question || $0.question.hasSuffix(step.question) }.count
                while shown().components(separatedBy: step.question).count - 1 <= before, Date() < deadline { usleep(20_000) }
                let line = Array((step.answer + "\n").utf8)
                _ = line.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            }
            let status = Shell.wait(for: pid)
            return (status, shown())
        }
    }

    @Test func promptsAreAskedAndAPrivateAnswerIsMasked() async throws {
        let files = try ScratchDirectory("prompt-play")
        let inventory = try files.write("hosts.ini", "localhost ansible_connection=local\n")
        let playbook = try files.write("site.yml", Self.playbook)
        let (status, shown) = try await Self.converse(
            ["-i", inventory, playbook, "--no-lock"],
            answers: [("Which release [1.2.3]: ", ""), ("Word: ", "hunter22-typed"), ("confirm Word: ", "other"),
                      ("Word: ", "hunter22-typed"), ("confirm Word: ", "hunter22-typed")],
            environment: ["NO_COLOR": "1", "SKIFF_AUDIT_LOG": files.file("audit.jsonl")])
        #expect(status == 0, "\(shown)")
        #expect(shown.contains("***** VALUES ENTERED DO NOT MATCH ****"), "\(shown)")
        #expect(shown.contains("release=1.2.3 word="), "the empty answer took the default: \(shown)")
        #expect(!shown.contains("hunter22"), "a private answer is neither echoed nor shown: \(shown)")
        let audit = (try? String(contentsOfFile: files.file("audit.jsonl"), encoding: .utf8)) ?? ""
        #expect(!audit.isEmpty && !audit.contains("hunter22"), "nor written to the audit log")
    }
}
