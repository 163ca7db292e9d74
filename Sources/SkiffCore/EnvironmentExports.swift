import OrderedCollections

/// How a command's environment reaches it without ever being on a command line.
///
/// A `NAME=value` prefix, or the argv of `sudo … /bin/sh -c TEXT`, is world-readable on the host in
/// `/proc/PID/cmdline` while the command runs: any local user sees `REGISTRY_TOKEN=…`. Instead the
/// command's shell reads one line from its stdin (`read`, a builtin) and evaluates it: `export NAME='value'`
/// for each variable. The line travels on the channel's stdin, before the command's own stdin bytes.
/// A process's environment (`/proc/PID/environ`) is readable only by its owner.
public enum EnvironmentExports {
    /// The shell text, put before the command, that reads the exports line from stdin and runs it.
    public static let prologue = "IFS= read -r __skiff_env || exit 125; eval \"$__skiff_env\"; unset __skiff_env\n"

    /// One line of shell text (no newline in it) that exports every variable. A value with a line
    /// break is written as `printf` octal escapes (a builtin), with a guard character so that command
    /// substitution keeps its trailing newlines.
    public static func line(_ environment: OrderedDictionary<String, String>) -> String {
        var parts: [String] = []
        for (name, value) in environment where isName(name) {
            if value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
                parts.append("\(name)=$(printf '\(ShellQuote.octalEscapes(Array(value.utf8)))x'); \(name)=${\(name)%x}; export \(name)")
            } else {
                parts.append("export \(name)=\(ShellQuote.quote(value))")
            }
        }
        return parts.joined(separator: "; ")
    }

    /// A name a POSIX shell accepts as a variable: a letter or `_`, then letters, digits and `_`.
    public static func isName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
