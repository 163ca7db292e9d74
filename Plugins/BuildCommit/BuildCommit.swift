import Foundation
import PackagePlugin

/// Before every build, writes `BuildCommit.swift` with the git commit of the checkout being built
/// (`unknown` when it is not a git checkout or git is missing; `-dirty` when tracked files differ
/// from that commit), so `skiff --version` names the source a binary came from. The file is
/// rewritten only when the commit changes, so an unchanged checkout rebuilds nothing.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = """
            set -u
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=
            if [ -z "$commit" ]; then
              commit=unknown
            elif [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
              commit="$commit-dirty"
            fi
            mkdir -p "$2"
            printf '/// The git commit this binary was built from (`unknown` outside a git checkout).\\nlet skiffBuildCommit = "%s"\\n' "$commit" > "$2/BuildCommit.swift.new"
            if cmp -s "$2/BuildCommit.swift.new" "$2/BuildCommit.swift"; then
              rm -f "$2/BuildCommit.swift.new"
            else
              mv "$2/BuildCommit.swift.new" "$2/BuildCommit.swift"
            fi
            """
        return [
            .prebuildCommand(
                displayName: "Recording the git commit of the build",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "build-commit", context.package.directoryURL.path, outputDirectory.path],
                outputFilesDirectory: outputDirectory
            )
        ]
    }
}
