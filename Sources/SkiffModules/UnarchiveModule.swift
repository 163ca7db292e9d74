import OrderedCollections
import SkiffCore

/// `unarchive`: unpacks a tar (plain, gzip, bzip2, xz: GNU tar finds out) or zip archive into `dest`,
/// which must be a directory, with the host's `tar`/`unzip`. The archive is the controller's file
/// (uploaded to a private directory the task removes), or the host's with `remote_src`. It is unpacked
/// into a private temporary directory first and compared with `dest`: only when a file differs or is
/// missing is it copied over, so a second run is ok. `creates` that exists skips the task, as in
/// Ansible. Under `--check` the comparison runs and nothing is written.
public enum UnarchiveModule: Module {
    public static let names = ModuleNames.builtin("unarchive")
    public static let arguments = ArgumentSpec([
        .string("src", required: true), .string("dest", required: true), .bool("remote_src"), .string("creates"),
    ])
    public static let supportsCheckMode = true

    /// $1 archive, $2 dest, $3 1 under --check, $4 1 to remove the archive's directory at the end.
    /// Prints `changed` when dest differs from the archive (and, outside --check, after copying it in).
    static let script = """
        a=$1 d=$2
        if [ "$4" = 1 ]; then trap 'rm -rf "$(dirname "$a")"' EXIT; fi
        [ -d "$d" ] || { echo "Destination '$d' is not a directory" >&2; exit 3; }
        [ -f "$a" ] || { echo "Source '$a' does not exist" >&2; exit 3; }
        t=$(mktemp -d) || exit 1
        trap 'rm -rf "$t"; if [ "$4" = 1 ]; then rm -rf "$(dirname "$a")"; fi' EXIT
        case "$a" in
          *.zip|*.ZIP) unzip -q -o "$a" -d "$t" ;;
          *) tar -xf "$a" -C "$t" ;;
        esac || exit 4
        if (cd "$t" && find . ! -name . -print | while IFS= read -r f; do
              if [ -L "$f" ]; then [ "$(readlink "$f")" = "$(readlink "$d/$f" 2>/dev/null)" ] || echo differs
              elif [ -d "$f" ]; then [ -d "$d/$f" ] || echo differs
              else cmp -s "$f" "$d/$f" || echo differs
              fi
            done) | grep -q differs; then
          if [ "$3" != 1 ]; then cp -a "$t"/. "$d"/ || exit 5; fi
          echo changed
        fi
        """

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let src = try arguments.required("src")
        let dest = try arguments.required("dest")
        let remote = arguments.bool("remote_src")
        if src.contains("://") { throw ModuleError("unarchive: src '\(src)' is a URL; download it with get_url first") }
        let fields: OrderedDictionary<String, Value> = ["dest": .string(dest), "src": .string(src)]
        let checkFlag = arguments.checkMode ? "1" : "0"
        let unpack: @Sendable (String, Bool) -> ModuleProgram = { archive, uploaded in
            .run(RemoteStep(.argv(["sh", "-c", script, "sh", archive, dest, checkFlag, uploaded ? "1" : "0"]))) { result in
                guard result.succeeded else {
                    let said = result.stderrText.trimmingTrailingNewlines
                    return .finish(ModuleOutcome(failed: true, message: said.isEmpty ? "cannot unpack \(src) (exit \(result.exitStatus ?? -1))" : said, result: fields))
                }
                return .finish(ModuleOutcome(changed: result.stdoutText.contains("changed"), result: fields))
            }
        }
        var cleanup: [RemoteStep] = []
        let start: ModuleProgram
        if remote {
            start = unpack(src, false)
        } else {
            let local = try context.files.locate(src, kind: "files")
            let directory = context.runDirectory()
            let name = local.split(separator: "/").last.map(String.init) ?? "archive"
            let archive = "\(directory)/\(name)"
            cleanup = [RemoteStep(.argv(["rm", "-rf", "--", directory]))]
            start = .run(RemoteStep(.argv(["mkdir", "-m", "700", "--", directory]))) { made in
                guard made.succeeded else {
                    return .finish(ModuleOutcome(failed: true, message: "cannot make \(directory): \(made.stderrText.trimmingTrailingNewlines)", result: fields))
                }
                return .upload(UploadStep(.localFile(local), to: archive, mode: 0o600)) { unpack(archive, true) }
            }
        }
        guard let creates = arguments.string("creates") else { return ModulePlan(start, abortCleanup: cleanup) }
        return ModulePlan(.run(RemoteStep(.argv(["test", "-e", creates]))) { exists in
            guard exists.succeeded else { return start }
            return .finish(ModuleOutcome(skipped: true, message: "skipped, since \(creates) exists", result: fields))
        }, abortCleanup: cleanup)
    }
}
