import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// Small uploads (a compose file, a rendered template, an edited config) go through the connection's
/// long-lived shell: one script, run by that shell in a subshell, writes the bytes to a temporary name
/// beside the destination with their mode and renames it into place: one round trip and one `mv`.
/// Over SFTP the same file costs a subsystem channel, an sftp-server process and about nine round trips
/// per host. The bytes travel inside the script as `printf` octal escapes (a shell builtin: they appear
/// on no command line). Larger files, and files not known to be small, go over SFTP (`SFTPUpload`).
enum ShellUpload {
    /// Uploads up to this size go through the shell (the script carries four bytes per byte).
    static let limit = 64 * 1024

    /// The bytes to upload when the source is small enough, or nil to use SFTP (which also reports a
    /// file that cannot be read).
    static func smallContents(of source: UploadSource) -> Sensitive<[UInt8]>? {
        switch source {
        case .bytes(let bytes):
            return bytes.revealed.count <= limit ? bytes : nil
        case .file(let path):
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) <= limit,
                let bytes = FileContents.read(path), bytes.count <= limit  // it may have grown since stat
            else { return nil }
            return Sensitive(bytes)
        }
    }

    /// The script the host's shell runs in a subshell (see `StagedWrite`): the bytes are written by the
    /// shell's own `printf`, and travel in the script text, which the shell reads from its stdin: on no
    /// command line.
    static func script(destination: String, mode: UInt32, bytes: Sensitive<[UInt8]>) -> Sensitive<String> {
        Sensitive(StagedWrite.script(
            destination: destination, mode: mode, temporary: StagedWrite.temporaryName(for: destination),
            producer: "printf '" + ShellQuote.octalEscapes(bytes.revealed) + "'"))
    }

    /// The error for a failed upload command, with what the host said.
    static func failure(_ result: CommandResult, destination: String, host: String) -> SSHError {
        let said = result.stderrText.split(separator: "\n").last.map(String.init) ?? result.termination.description
        return SSHError(.transferFailed, host: host, "upload of \(destination) failed: \(said)")
    }
}
