import Crypto
import Foundation
import SkiffCore
@testable import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("uploads: small files through the shell, the rest over SFTP")
struct UploadTests {
    static func randomFile(in directory: ScratchDirectory, mebibytes: Int) throws -> (path: String, sha256: String) {
        let path = directory.file("payload.bin")
        try Shell.run(["dd", "if=/dev/urandom", "of=\(path)", "bs=1M", "count=\(mebibytes)", "status=none"])
        let digest = try Shell.run(["sha256sum", path]).prefix(64)
        return (path, String(digest))
    }

    @Test func sixtyFourMebibytesArriveIntactWithTheirMode() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }
        let payload = try Self.randomFile(in: fixture.files, mebibytes: 64)

        try await connection.upload(.file(path: payload.path), to: "/tmp/payload.bin", mode: 0o640)
        let check = try await connection.run("sha256sum /tmp/payload.bin; stat -c %a /tmp/payload.bin; ls -a /tmp")
        let lines = check.stdoutText.split(separator: "\n")
        #expect(lines.first?.hasPrefix(payload.sha256) == true)
        #expect(lines.dropFirst().first == "640")
        #expect(!check.stdoutText.contains(".skiff-"), "no temporary file is left behind")
    }

    @Test func bytesReplaceAnExistingFileAtomically() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        _ = try await connection.run("echo old > /tmp/compose.yml && chmod 600 /tmp/compose.yml")
        let content = "services:\n  app:\n    image: registry.example.com/app:${VERSION}\n"
        try await connection.upload(.bytes(Sensitive(Array(content.utf8))), to: "/tmp/compose.yml", mode: 0o644)
        let check = try await connection.run("cat /tmp/compose.yml; stat -c %a /tmp/compose.yml")
        #expect(check.stdoutText == content + "644\n")
    }

    @Test func anInterruptedUploadLeavesNoPartialFile() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }
        let payload = try Self.randomFile(in: fixture.files, mebibytes: 64)

        let upload = Task { try await connection.upload(.file(path: payload.path), to: "/tmp/big.bin") }
        // Freeze the host once the temporary file has started to grow, cancel, then let it go on.
        let tmp = fixture.host.pathInside("/tmp")
        // Polled on a thread of its own: sleeping here must not hold a cooperative thread the upload needs.
        let host = fixture.host
        let growing = try await offPool { () -> Bool in
            // Up to 60 s: under a loaded machine (the whole suite at once) the upload may start late.
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
                let started = names.contains { name in
                    name.hasPrefix(".big.bin.skiff-")
                        && ((try? FileManager.default.attributesOfItem(atPath: "\(tmp)/\(name)")[.size] as? Int) ?? 0) > 0
                }
                if started {
                    host.signalAll(SIGSTOP)
                    return true
                }
                usleep(1000)
            }
            host.signalAll(SIGSTOP)
            return false
        }
        #expect(growing, "the upload started")
        #expect(!FileManager.default.fileExists(atPath: "\(tmp)/big.bin"), "the upload had not finished")
        upload.cancel()
        try await Task.sleep(for: .milliseconds(200))
        fixture.host.signalAll(SIGCONT)
        let error = await sshError { try await upload.value }
        #expect(error?.kind == .cancelled, "got \(String(describing: error))")

        let listing = try await connection.run("ls -a /tmp").stdoutText
        #expect(!listing.contains("big.bin"), "neither the destination nor a temporary file exists: \(listing)")
    }

    @Test func aMissingDirectoryIsAClearError() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let error = await sshError {
            try await connection.upload(.bytes(Sensitive([1, 2, 3])), to: "/nonexistent/dir/file")
        }
        #expect(error?.kind == .transferFailed)
        #expect(error?.message.contains("/nonexistent/dir/file") == true)
        #expect(error?.message.contains("no such file") == true, "message: \(error?.message ?? "")")
    }

    @Test func everyByteValueArrivesOnBothPathsAndNoTemporaryFileStays() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        // All 256 byte values (quotes, backslashes, NUL, newlines): through the shell. One byte over the
        // limit, from a file: over SFTP. An empty file: through the shell.
        let small = Array(0...255).map(UInt8.init) + Array("it's \\ \"$HOME\" `id`\n".utf8)
        let large = (0..<(ShellUpload.limit + 1)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(ShellUpload.smallContents(of: .bytes(Sensitive(small))) != nil)
        #expect(ShellUpload.smallContents(of: .bytes(Sensitive(large))) == nil)
        let largePath = try fixture.files.write("large.bin", String(decoding: [], as: UTF8.self), mode: 0o600)
        try Data(large).write(to: URL(fileURLWithPath: largePath))
        #expect(ShellUpload.smallContents(of: .file(path: largePath)) == nil, "a file over the limit goes over SFTP")

        _ = try await connection.run("echo old > /tmp/small.bin")
        try await connection.upload(.bytes(Sensitive(small)), to: "/tmp/small.bin", mode: 0o640)
        try await connection.upload(.file(path: largePath), to: "/tmp/large.bin", mode: 0o600)
        try await connection.upload(.bytes(Sensitive([])), to: "/tmp/empty.bin", mode: 0o644)
        let check = try await connection.run(
            "sha256sum /tmp/small.bin /tmp/large.bin /tmp/empty.bin | cut -c1-64; stat -c %a /tmp/small.bin /tmp/large.bin /tmp/empty.bin; ls -a /tmp")
        let lines = check.stdoutText.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(3)) == [small.sha256Hex, large.sha256Hex, [UInt8]().sha256Hex])
        #expect(Array(lines.dropFirst(3).prefix(3)) == ["640", "600", "644"])
        #expect(!check.stdoutText.contains(".skiff-"), "no temporary file is left behind")

        // Execute bits cannot come from the umask at creation: they are set with chmod.
        try await connection.upload(.bytes(Sensitive(Array("#!/bin/sh\necho ran\n".utf8))), to: "/tmp/run.sh", mode: 0o750)
        let ran = try await connection.run("/tmp/run.sh; stat -c %a /tmp/run.sh")
        #expect(ran.stdoutText == "ran\n750\n")
    }

    @Test func anUploadOntoADirectoryIsRefusedOnBothPaths() async throws {
        let fixture = try await SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        // The destination is a directory: refused (not moved into it) on both paths; nothing stays.
        _ = try await connection.run("mkdir -p /tmp/taken/inside")
        for size in [3, ShellUpload.limit + 1] {
            let error = await sshError {
                try await connection.upload(.bytes(Sensitive(Array(repeating: 65, count: size))), to: "/tmp/taken", mode: 0o644)
            }
            #expect(error?.kind == .transferFailed)
            #expect(error?.message.contains("/tmp/taken") == true && error?.message.contains("directory") == true,
                "message: \(error?.message ?? "")")
            let listing = try await connection.run("ls -a /tmp /tmp/taken")
            #expect(!listing.stdoutText.contains(".skiff-"), "no temporary file is left behind: \(listing.stdoutText)")
            #expect(listing.stdoutText.contains("inside"))
        }
    }
}

extension [UInt8] {
    var sha256Hex: String { SHA256.hash(data: self).map { String(format: "%02x", $0) }.joined() }
}
