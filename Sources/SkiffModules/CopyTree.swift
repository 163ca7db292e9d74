import OrderedCollections
import SkiffCore

/// `copy` of a controller directory, as ansible-core copies it: `src: tree` makes `dest/tree/…`,
/// `src: tree/` copies what is inside into `dest/…`; directories (empty ones too) are made, with
/// `directory_mode` when given. One question asks the host for the SHA-256 and mode of every file; only
/// files that differ (or whose `mode` differs) are uploaded, so a second run is ok.
struct CopyTree: Sendable {
    /// The controller's directory, as located (a trailing slash kept).
    let source: String
    /// Relative paths under `source`, with the SHA-256 of each file.
    let files: [(path: String, sha256: String)]
    let directories: [String]

    static func plan(_ arguments: ModuleArguments, source: String, _ controller: any ControllerFiles) throws -> ModulePlan {
        let files = try controller.files(under: source).map { ($0, try controller.sha256(ofFile: "\(source)/\($0)")) }
        let tree = CopyTree(source: source, files: files, directories: try controller.directories(under: source))
        if (tree.files.map(\.path) + tree.directories).contains(where: { $0.contains("\n") }) {
            throw ModuleError("\(arguments.module): \(source) holds a name with a line break")
        }
        return try tree.plan(arguments)
    }

    /// $1 the base directory, then the files: prints `SHA256 MODE PATH` for each file there, and
    /// `dir PATH` for each directory (after `--`) that is missing.
    static let probe = """
        base=$1; shift
        if [ ! -d "$base" ]; then
          echo "dir ."
          seen=0
          for f; do if [ "$f" = -- ]; then seen=1; elif [ $seen = 1 ]; then echo "dir $f"; fi; done
          exit 0
        fi
        cd "$base" || exit 1
        seen=0
        for f; do
          if [ "$f" = -- ]; then seen=1
          elif [ $seen = 0 ]; then
            if [ -f "$f" ]; then echo "$(sha256sum < "$f" | cut -c1-64) $(stat -c %a -- "$f") $f"; fi
          elif [ ! -d "$f" ]; then echo "dir $f"; fi
        done
        """

    func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
        let dest = try arguments.required("dest")
        let name = source.hasSuffix("/") ? nil : source.split(separator: "/").last.map(String.init)
        let trimmed = dest.hasSuffix("/") ? String(dest.dropLast()) : dest
        let base = name.map { "\(trimmed)/\($0)" } ?? trimmed
        let mode = try arguments.mode()
        let directoryMode = try arguments.mode("directory_mode")
        let fields: OrderedDictionary<String, Value> = ["dest": .string(trimmed + "/"), "src": .string(source)]
        let files = self.files
        let directories = self.directories
        let source = self.source
        let probe = RemoteStep(.argv(["sh", "-c", Self.probe, "sh", base] + files.map(\.path) + ["--"] + directories))
        return ModulePlan(.run(probe) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "cannot inspect \(base): \(result.stderrText.trimmingTrailingNewlines)", result: fields))
            }
            var there: [String: (sha256: String, mode: String)] = [:]
            var missing: [String] = []
            for line in result.stdoutText.split(separator: "\n").map(String.init) {
                if line.hasPrefix("dir ") {
                    missing.append(String(line.dropFirst(4)))
                    continue
                }
                let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
                if parts.count == 3 { there[parts[2]] = (parts[0], parts[1]) }
            }
            let wanted = mode ?? 0o644
            let uploads = files.filter { file in
                guard let current = there[file.path] else { return true }
                return current.sha256 != file.sha256 || (mode != nil && current.mode != String(wanted, radix: 8))
            }
            let made = missing.map { $0 == "." ? base : "\(base)/\($0)" }
            let changed = !uploads.isEmpty || !made.isEmpty
            if !changed || arguments.checkMode { return .finish(ModuleOutcome(changed: changed, result: fields)) }
            var program = ModuleProgram.finish(ModuleOutcome(changed: true, result: fields))
            for file in uploads.reversed() {
                let next = program
                program = .upload(UploadStep(.localFile("\(source)/\(file.path)"), to: "\(base)/\(file.path)", mode: wanted)) { next }
            }
            guard !made.isEmpty else { return program }
            var make = ["mkdir", "-p", "--"] + made
            if let directoryMode { make = ["mkdir", "-p", "-m", String(directoryMode, radix: 8), "--"] + made }
            let uploadAll = program
            return .run(RemoteStep(.argv(make))) { created in
                guard created.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: created.stderrText.trimmingTrailingNewlines, result: fields))
                }
                return uploadAll
            }
        })
    }
}
