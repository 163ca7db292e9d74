import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// `copy` (and `template`, whose content the runner renders first): compares the SHA-256 of what is
/// on the host with what would be written, uploads only when they differ (atomically, with the mode),
/// then sets owner and group. An unchanged file is `ok`, not `changed`. As in Ansible, `force: false`
/// leaves an existing file alone, and without `mode` an existing file keeps its mode (a new one is 0644).
public enum CopyModule {
    /// The local file's bytes are read by the runner; modules do no I/O.
    public struct LocalFile: Sendable {
        public let path: String
        public let sha256: String
        /// The file's text, for `--diff` (nil: not wanted, or too large or binary).
        public let text: String?

        public init(path: String, sha256: String, text: String? = nil) {
            self.path = path
            self.sha256 = sha256
            self.text = text
        }
    }

    /// - Parameter local: the resolved `src` file when the task copies a file (nil for `content`).
    public static func plan(_ arguments: ModuleArguments, local: LocalFile?) throws -> ModulePlan {
        let dest = try arguments.required("dest")
        let explicitMode = try arguments.mode()
        let force = arguments.bool("force", default: true)
        let source: UploadStep.Source
        let checksum: String
        let newText: String?
        if let content = arguments.values["content"] {
            let bytes = Array(content.text.utf8)
            source = .bytes(Sensitive(bytes))
            checksum = sha256Hex(bytes)
            newText = content.text
        } else if let local {
            source = .localFile(local.path)
            checksum = local.sha256
            newText = local.text
        } else {
            throw ModuleError("\(arguments.module): give 'src' or 'content'")
        }
        let q = ShellQuote.quote(dest)
        // Prints the current checksum and mode, or nothing when there is no file yet.
        let probe = RemoteStep(.shell("if [ -f \(q) ]; then sha256sum -- \(q) | cut -d' ' -f1; stat -c %a -- \(q); fi"))
        let fields: OrderedDictionary<String, Value> = ["dest": .string(dest), "checksum": .string(checksum)]
        let ownership = ownershipStep(arguments, path: q)
        return ModulePlan(.run(probe) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "cannot inspect \(dest): \(result.stderrText.trimmingTrailingNewlines)", result: fields))
            }
            let lines = result.stdoutText.split(separator: "\n").map(String.init)
            if !force && !lines.isEmpty { return .finish(ModuleOutcome(result: fields)) }
            let existingMode = lines.count > 1 ? UInt32(lines[1], radix: 8) : nil
            let mode = explicitMode ?? existingMode ?? 0o644
            let same = lines.first == checksum
            let modeMatches = existingMode == mode
            let finish: @Sendable (Bool, String?) -> ModuleProgram = { changed, diff in
                guard let ownership else { return .finish(ModuleOutcome(changed: changed, result: fields, diff: diff)) }
                return .run(ownership) { owned in
                    .finish(ModuleOutcome(
                        changed: changed || owned.stdoutText.contains("changed"), failed: !owned.succeeded,
                        message: owned.succeeded ? nil : owned.stderrText.trimmingTrailingNewlines, result: fields, diff: diff))
                }
            }
            if same && modeMatches { return finish(false, nil) }
            if same {
                if arguments.checkMode { return .finish(ModuleOutcome(changed: true, message: "would change the mode", result: fields)) }
                return .run(RemoteStep(.argv(["chmod", String(mode, radix: 8), "--", dest]))) { _ in finish(true, nil) }
            }
            return ContentDiff.then(dest, exists: !lines.isEmpty, after: arguments.diff ? newText : nil) { diff in
                if arguments.checkMode {
                    return .finish(ModuleOutcome(changed: true, message: "would write \(dest)", result: fields, diff: diff))
                }
                return .upload(UploadStep(source, to: dest, mode: mode)) { finish(true, diff) }
            }
        })
    }

    /// The SHA-256 of some bytes as lowercase hex, as `sha256sum` prints it.
    public static func sha256Hex<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef")
        return SHA256.hash(data: bytes).map { String([digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]]) }.joined()
    }

    private static func ownershipStep(_ arguments: ModuleArguments, path q: String) -> RemoteStep? {
        let script = FileModule.ownershipChecks(arguments, quotedPath: q)
        return script.isEmpty ? nil : RemoteStep(.shell(script.joined(separator: "\n")))
    }
}

extension CopyModule: Module {
    public static let names = ModuleNames.builtin("copy")
    public static let arguments = ArgumentSpec([
        .string("src"), .raw("content"), .string("dest", required: true), .raw("mode"), .string("owner"), .string("group"),
        .bool("backup"), .bool("force"), .bool("remote_src"), .raw("directory_mode"), .string("validate"),
    ], requiredOneOf: [["src", "content"]], mutuallyExclusive: [["src", "content"]])
    public static let supportsCheckMode = true
    public static let supportsDiff = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        if arguments.values["content"] != nil { return try plan(arguments, local: nil) }
        let source = try context.files.locate(try arguments.required("src"), kind: "files")
        if context.files.isDirectory(source) { return try CopyTree.plan(arguments, source: source, context.files) }
        return try plan(arguments, local: LocalFile(
            path: source, sha256: try context.files.sha256(ofFile: source),
            text: arguments.diff ? context.files.diffableText(ofFile: source) : nil))
    }
}
