import OrderedCollections
import SkiffCore

/// Request headers for `uri` and `get_url`, kept off every command line: `Authorization: Bearer …` on
/// curl's argv would be world-readable in `/proc/PID/cmdline` on the host. The headers travel in the
/// step's environment (sent on stdin, see `EnvironmentExports`) and reach curl (`-H @file`) or wget
/// (`--config`) through a pipe on file descriptor 3, written by the shell's own `printf`.
enum HTTPHeaders {
    static let variable = "SKIFF_HTTP_HEADERS"

    /// The `headers` argument as one `Name: value` line each; nil when there are none.
    static func lines(_ arguments: ModuleArguments) throws -> String? {
        guard case .dict(let headers)? = arguments.values["headers"], !headers.isEmpty else { return nil }
        var lines: [String] = []
        for (name, value) in headers {
            let text = value.text
            guard !name.isEmpty, !"\(name)\(text)".utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }), !name.contains(":") else {
                throw ModuleError("\(arguments.module): the header '\(name)' has a line break or a colon in its name or value")
            }
            lines.append("\(name): \(text)")
        }
        return lines.joined(separator: "\n")
    }

    /// Arguments for curl that read the headers from file descriptor 3.
    static let curlArguments = ["-H", "@/dev/fd/3"]
    /// Arguments for wget that read the headers (as wgetrc `header = …` lines) from file descriptor 3.
    static let wgetArguments = ["--config=/dev/fd/3"]

    /// Runs `command` (curl or wget, whose own stdin stays the step's stdin) with the headers on fd 3.
    static func feeding(_ command: String, wgetrc: Bool) -> String {
        let producer = wgetrc
            ? "printf '%s\\n' \"$\(variable)\" | while IFS= read -r h; do printf 'header = %s\\n' \"$h\"; done"
            : "printf '%s\\n' \"$\(variable)\""
        return "{ \(producer) | { \(command); } 3<&0 <&4 4<&-; } 4<&0"
    }
}
