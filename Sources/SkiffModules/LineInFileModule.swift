import OrderedCollections
import SkiffCore

/// `lineinfile`: makes sure a line is in a file (or is not). The file is read from the host, changed
/// here — the edit is a pure function of the text (`edit`) — and written back atomically only when it
/// changed, keeping the file's mode unless `mode` is given. As Ansible: `regexp` is searched in each line
/// (the last match is replaced, or every match removed with `state: absent`), `insertafter`/`insertbefore`
/// take `EOF`/`BOF` or a regexp (last match; first with `firstmatch`), `backrefs` fills `\1` from the match
/// and leaves the file alone when nothing matches, `create` starts a missing file.
public enum LineInFileModule {
    static let missing = "__skiff_missing__"

    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
        let path = try arguments.required("path", aliases: ["dest", "destfile", "name"])
        let edit = try Edit(arguments)
        let q = ShellQuote.quote(path)
        let probe = RemoteStep(.shell("if [ -f \(q) ]; then stat -c %a -- \(q) && cat -- \(q); else echo \(missing); fi"))
        let fields: OrderedDictionary<String, Value> = ["path": .string(path)]
        let explicitMode = try arguments.mode()
        let ownership = FileModule.ownershipChecks(arguments, quotedPath: q)
        return ModulePlan(.run(probe) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "cannot read \(path): \(result.stderrText.trimmingTrailingNewlines)", result: fields))
            }
            let output = result.stdoutText
            let exists = !output.hasPrefix(missing)
            guard exists || edit.create || edit.state == "absent" else {
                return .finish(ModuleOutcome(failed: true, message: "Destination \(path) does not exist !", result: fields))
            }
            // Nothing to remove from a file that is not there.
            guard exists || edit.state == "present" else { return .finish(ModuleOutcome(result: fields)) }
            let newline = output.firstIndex(of: "\n") ?? output.endIndex
            let currentMode = exists ? UInt32(output[..<newline], radix: 8) : nil
            let before = !exists || newline == output.endIndex ? "" : String(output[output.index(after: newline)...])
            let (after, message) = edit.apply(to: before)
            let mode = explicitMode ?? currentMode ?? 0o644
            let finish: @Sendable (Bool, String?) -> ModuleProgram = { changed, diff in
                guard !ownership.isEmpty, !arguments.checkMode else {
                    return .finish(ModuleOutcome(changed: changed, message: message, result: fields, diff: diff))
                }
                return .run(RemoteStep(.shell(ownership.joined(separator: "\n")))) { owned in
                    .finish(ModuleOutcome(changed: changed || owned.stdoutText.contains("changed"), failed: !owned.succeeded,
                                          message: owned.succeeded ? message : owned.stderrText.trimmingTrailingNewlines, result: fields, diff: diff))
                }
            }
            let modeChanged = exists && explicitMode != nil && explicitMode != currentMode
            guard after != before || !exists else {
                guard modeChanged, !arguments.checkMode else { return finish(modeChanged, nil) }
                return .run(RemoteStep(.argv(["chmod", String(mode, radix: 8), "--", path]))) { _ in finish(true, nil) }
            }
            let diff = arguments.diff ? UnifiedDiff.render(before: before, after: after, path: path) : nil
            if arguments.checkMode { return .finish(ModuleOutcome(changed: true, message: message, result: fields, diff: diff)) }
            return .upload(UploadStep(.bytes(Sensitive(Array(after.utf8))), to: path, mode: mode)) { finish(true, diff) }
        })
    }

    /// What to do to the text, from the arguments; `apply` is pure and unit-tested.
    public struct Edit: Sendable {
        var line: String?
        var pattern: String?
        var state: String
        var insertAfter: String?
        var insertBefore: String?
        var backrefs: Bool
        var firstMatch: Bool
        var create: Bool

        public init(_ arguments: ModuleArguments) throws {
            line = arguments.string("line", aliases: ["value"])
            pattern = arguments.string("regexp", aliases: ["regex"])
            state = arguments.string("state") ?? "present"
            insertAfter = arguments.string("insertafter")
            insertBefore = arguments.string("insertbefore")
            backrefs = arguments.bool("backrefs")
            firstMatch = arguments.bool("firstmatch")
            create = arguments.bool("create")
            guard state == "present" || state == "absent" else { throw ModuleError("lineinfile: state must be present or absent") }
            if state == "present" && line == nil { throw ModuleError("lineinfile: state=present needs 'line'") }
            if state == "absent" && line == nil && pattern == nil { throw ModuleError("lineinfile: state=absent needs 'line' or 'regexp'") }
            if backrefs && pattern == nil { throw ModuleError("lineinfile: backrefs needs 'regexp'") }
            if insertAfter != nil && insertBefore != nil { throw ModuleError("lineinfile: give insertafter or insertbefore, not both") }
            for text in [pattern, insertAfter, insertBefore].compactMap({ $0 }) where text != "EOF" && text != "BOF" {
                do { _ = try Regex(text) } catch { throw ModuleError("lineinfile: '\(text)' is not a valid regular expression") }
            }
        }

        /// The new text and Ansible's message ("line added", "line replaced", "N line(s) removed").
        public func apply(to text: String) -> (String, String?) {
            var lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if text.hasSuffix("\n") { lines.removeLast() }
            // A changed file always ends with a newline (Ansible adds one to a last line without it).
            func output(_ lines: [String]) -> String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }
            let regex = pattern.flatMap { try? Regex($0) }
            func matches(_ line: String) -> Bool {
                if let regex { return line.contains(regex) }
                return line == self.line
            }
            if state == "absent" {
                let kept = lines.filter { !matches($0) }
                let removed = lines.count - kept.count
                return removed == 0 ? (text, nil) : (output(kept), "\(removed) line(s) removed")
            }
            guard let line else { return (text, nil) }
            if let regex, let index = firstMatch ? lines.firstIndex(where: { $0.contains(regex) }) : lines.lastIndex(where: { $0.contains(regex) }) {
                let replacement = backrefs ? Self.expand(line, match: lines[index], regex: regex) : line
                if lines[index] == replacement { return (text, nil) }
                lines[index] = replacement
                return (output(lines), "line replaced")
            }
            if backrefs { return (text, nil) }
            if lines.contains(line) { return (text, nil) }
            lines.insert(line, at: insertionIndex(lines))
            return (output(lines), "line added")
        }

        private func insertionIndex(_ lines: [String]) -> Int {
            if let insertBefore {
                if insertBefore == "BOF" { return 0 }
                if let regex = try? Regex(insertBefore),
                   let index = firstMatch ? lines.firstIndex(where: { $0.contains(regex) }) : lines.lastIndex(where: { $0.contains(regex) }) {
                    return index
                }
                return lines.count
            }
            if let insertAfter, insertAfter != "EOF", let regex = try? Regex(insertAfter),
               let index = firstMatch ? lines.firstIndex(where: { $0.contains(regex) }) : lines.lastIndex(where: { $0.contains(regex) }) {
                return index + 1
            }
            return lines.count
        }

        /// `\1`…`\9` and `\g<1>` in `line` from the regexp's groups in the matched line.
        static func expand(_ line: String, match text: String, regex: Regex<AnyRegexOutput>) -> String {
            guard let found = text.firstMatch(of: regex) else { return line }
            var result = ""
            var characters = Substring(line)
            while let first = characters.first {
                characters = characters.dropFirst()
                guard first == "\\", let next = characters.first, let group = next.wholeNumberValue else {
                    result.append(first)
                    continue
                }
                characters = characters.dropFirst()
                if group < found.output.count, let captured = found.output[group].substring { result += captured }
            }
            return result
        }
    }
}

extension LineInFileModule: Module {
    public static let names = ModuleNames.builtin("lineinfile")
    public static let arguments = ArgumentSpec([
        .string("path", required: true, aliases: ["dest", "destfile", "name"]), .string("line", aliases: ["value"]),
        .string("regexp", aliases: ["regex"]), .string("state", choices: ["present", "absent"]), .bool("create"),
        .string("insertafter"), .string("insertbefore"), .raw("mode"), .bool("backup"), .bool("backrefs"), .bool("firstmatch"),
        .string("owner"), .string("group"),
    ], mutuallyExclusive: [["insertafter", "insertbefore"]])
    public static let supportsCheckMode = true
    public static let supportsDiff = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan { try plan(arguments) }
}
