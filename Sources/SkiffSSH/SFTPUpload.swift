import CLibSSH2
import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file on the host over SFTP so that no reader ever sees half of it: the bytes go to a
/// temporary name in the destination's directory, get their mode, and are renamed into place.
/// On any failure the temporary file is removed and the destination is left as it was.
struct SFTPUpload {
    let session: LibSSH2Session
    let source: UploadSource
    let destination: String
    let mode: UInt32
    let deadline: Deadline

    /// Bytes handed to one `libssh2_sftp_write` call; libssh2 pipelines them as many SFTP packets.
    static let chunkSize = 4 * 1024 * 1024

    func run() throws {
        let temporary = StagedWrite.temporaryName(for: destination)
        let sftp = try session.drivePointer(deadline, what: "starting SFTP", onTimeout: timedOut) {
            libssh2_sftp_init(session.raw)
        }
        var completed = false
        defer {
            session.uninterruptible {
                _ = try? session.drive(.after(.seconds(5)), until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timedOut) {
                    libssh2_sftp_shutdown(sftp)
                }
                if !completed { removeTemporary(temporary) }
            }
        }
        try write(sftp: sftp, to: temporary)
        try rename(sftp: sftp, temporary, to: destination)
        completed = true
    }

    private func timedOut() -> SSHError {
        SSHError(.transferFailed, host: session.host, "upload of \(destination) timed out")
    }

    private func failure(_ sftp: OpaquePointer, _ what: String) -> SSHError {
        let status = libssh2_sftp_last_error(sftp)
        let reason = status != 0 ? Self.statusText(status) : session.lastErrorMessage()
        return SSHError(.transferFailed, host: session.host, "upload of \(destination) failed while \(what): \(reason)")
    }

    private func write(sftp: OpaquePointer, to path: String) throws {
        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL | LIBSSH2_FXF_TRUNC)
        let handle = try session.drive(
            deadline,
            until: { $0 == nil && libssh2_session_last_errno(session.raw) == LIBSSH2_ERROR_EAGAIN },
            onTimeout: timedOut
        ) {
            libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), flags, Int(mode), LIBSSH2_SFTP_OPENFILE)
        }
        guard let handle else { throw failure(sftp, "creating \(path)") }
        var closed = false
        defer {
            if !closed { session.uninterruptible { _ = libssh2_sftp_close_handle(handle) } }
        }

        try forEachChunk { chunk in try send(chunk, handle: handle, sftp: sftp) }

        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        let setRC = try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timedOut) {
            libssh2_sftp_fstat_ex(handle, &attributes, 1)
        }
        if setRC != 0 { throw failure(sftp, "setting mode \(String(mode, radix: 8))") }
        let closeRC = try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timedOut) {
            libssh2_sftp_close_handle(handle)
        }
        closed = true
        if closeRC != 0 { throw failure(sftp, "closing \(path)") }
    }

    private func send(_ chunk: UnsafeBufferPointer<UInt8>, handle: OpaquePointer, sftp: OpaquePointer) throws {
        var offset = 0
        while offset < chunk.count {
            let written = try session.drive(deadline, until: { $0 == Int(LIBSSH2_ERROR_EAGAIN) }, onTimeout: timedOut) {
                chunk.withMemoryRebound(to: CChar.self) {
                    libssh2_sftp_write(handle, $0.baseAddress! + offset, chunk.count - offset)
                }
            }
            if written < 0 { throw failure(sftp, "writing") }
            offset += written
        }
    }

    /// Calls `body` with the source's bytes, a chunk at a time.
    private func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        switch source {
        case .bytes(let bytes):
            let all = bytes.revealed
            var start = 0
            repeat {
                let end = min(start + Self.chunkSize, all.count)
                try all[start..<end].withUnsafeBufferPointer(body)
                start = end
            } while start < all.count
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw SSHError(.localFile, host: session.host, "cannot read \(path): \(SocketConnector.errnoText())")
            }
            defer { close(fd) }
            // No larger than the file (a compose file is a few KiB; many hosts upload at once), not zero-filled.
            var status = stat()
            let size = fstat(fd, &status) == 0 ? Int(status.st_size) : Self.chunkSize
            let capacity = max(1, min(Self.chunkSize, size))
            var buffer = [UInt8](unsafeUninitializedCapacity: capacity) { _, count in count = capacity }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    throw SSHError(.localFile, host: session.host, "cannot read \(path): \(SocketConnector.errnoText())")
                }
                if count == 0 { return }
                try buffer[0..<count].withUnsafeBufferPointer(body)
            }
        }
    }

    /// Moves the upload into place atomically. SFTP's own rename comes first — it costs no command on the
    /// host — and succeeds when nothing is at the destination yet (OpenSSH links the new name, then unlinks
    /// the old). SFTP version 3 refuses to replace an existing file, so then `mv -f` (rename(2) in one
    /// directory: atomic, and it replaces) does it.
    private func rename(sftp: OpaquePointer, _ from: String, to: String) throws {
        let flags = Int(LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE)
        let renamed = try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timedOut) {
            libssh2_sftp_rename_ex(sftp, from, UInt32(from.utf8.count), to, UInt32(to.utf8.count), flags)
        }
        if renamed == 0 { return }
        let result = try ChannelExec(
            // Refused when the destination is a directory: `mv` would move the upload into it.
            session: session,
            command: RemoteCommand(
                "if [ -d \(ShellQuote.quote(to)) ]; then echo 'it is a directory' >&2; exit 1; fi; "
                    + ShellQuote.join(["mv", "-f", "--", from, to])),
            onOutput: nil
        ).run()
        guard result.succeeded else {
            let reason = result.stderrText.isEmpty ? result.termination.description : result.stderrText
            throw SSHError(.transferFailed, host: session.host, "cannot move the upload into \(to): \(reason)")
        }
    }

    private func removeTemporary(_ path: String) {
        let command = RemoteCommand(ShellQuote.join(["rm", "-f", "--", path]), timeout: .seconds(5))
        _ = try? ChannelExec(session: session, command: command, onOutput: nil).run()
    }

    static func statusText(_ status: UInt) -> String {
        switch status {
        case LIBSSH2_FX_NO_SUCH_FILE: return "no such file or directory"
        case LIBSSH2_FX_PERMISSION_DENIED: return "permission denied"
        case LIBSSH2_FX_FAILURE: return "failure"
        case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: return "no space left on device"
        case LIBSSH2_FX_QUOTA_EXCEEDED: return "quota exceeded"
        case LIBSSH2_FX_FILE_ALREADY_EXISTS: return "file already exists"
        case LIBSSH2_FX_NO_SUCH_PATH: return "no such path"
        default: return "SFTP status \(status)"
        }
    }
}
