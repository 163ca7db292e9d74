/// The shell text that writes a file into place on a host that other users share.
///
/// The bytes go to a temporary name beside the destination, random (64 bits) and created exclusively
/// (`set -C`: the shell opens it with `O_EXCL`, so a planted file or symlink makes the write fail instead
/// of being followed); its mode comes from the umask at creation, or — for execute and special bits,
/// which a umask cannot give — from `chmod` on `/proc/self/fd/3`, the file the script holds open, never
/// on a path another user could swap. Then one `mv` (rename(2) in one directory: atomic, and it replaces
/// a symlink at the destination instead of following it). On any failure, or when stopped, the temporary
/// file is removed and the destination is left as it was. Used for uploads through the host's shell
/// and for files written by the become user.
public enum StagedWrite {
    /// - Parameters:
    ///   - producer: shell text whose stdout is the content (`printf '…'`, `cat`).
    ///   - temporary: from `temporaryName(for:)`.
    public static func script(destination: String, mode: UInt32, temporary: String, producer: String) -> String {
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { destination[..<$0].isEmpty ? "/" : String(destination[..<$0]) } ?? "."
        let target = ShellQuote.quote(destination)
        let permissions = mode & 0o777
        let createsWithMode = mode & 0o7111 == 0
        let umask = createsWithMode ? ~permissions & 0o777 : 0o077
        var script = "[ -d \(ShellQuote.quote(directory)) ] || { echo \"no such file or directory: \"\(ShellQuote.quote(directory)) >&2; exit 1; }\n"
        script += "[ ! -d \(target) ] || { echo 'it is a directory' >&2; exit 1; }\n"
        script += "t=\(ShellQuote.quote(temporary)); umask \(String(umask, radix: 8)); set -C\n"
        // A failed exclusive open ends here, before the trap: the name is someone else's.
        script += "exec 3>\"$t\" || exit 1\n"
        script += "trap 'rm -f -- \"$t\"; exit 143' HUP INT TERM\n"
        script += "\(producer) >&3"
        if !createsWithMode { script += " && chmod \(String(mode, radix: 8)) /proc/self/fd/3" }
        script += " && exec 3>&- && mv -f -- \"$t\" \(target)\nrc=$?; [ $rc -eq 0 ] || rm -f -- \"$t\"; exit $rc"
        return script
    }

    /// `.NAME.skiff-RANDOM.tmp` beside the destination, so that the final rename stays in one file system.
    public static func temporaryName(for destination: String) -> String {
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[...$0]) } ?? ""
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        return "\(directory).\(name).skiff-\(RandomToken.hex64()).tmp"
    }
}
