import Foundation
import SkiffCore
import SkiffSSH
import SkiffTestSupport
import Testing

@Suite("SFTP upload")
struct UploadTests {
    static func randomFile(in directory: ScratchDirectory, mebibytes: Int) throws -> (path: String, sha256: String) {
        let path = directory.file("payload.bin")
        try Shell.run(["dd", "if=/dev/urandom", "of=\(path)", "bs=1M", "count=\(mebibytes)", "status=none"])
        let digest = try Shell.run(["sha256sum", path]).prefix(64)
        return (path, String(digest))
    }

    @Test func sixtyFourMebibytesArriveIntactWithTheirMode() async throws {
        let fixture = try SSHFixture.start()
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
        let fixture = try SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        _ = try await connection.run("echo old > /tmp/compose.yml && chmod 600 /tmp/compose.yml")
        let content = "services:\n  app:\n    image: registry.example.com/app:${VERSION}\n"
        try await connection.upload(.bytes(Sensitive(Array(content.utf8))), to: "/tmp/compose.yml", mode: 0o644)
        let check = try await connection.run("cat /tmp/compose.yml; stat -c %a /tmp/compose.yml")
        #expect(check.stdoutText == content + "644\n")
    }

    @Test func anInterruptedUploadLeavesNoPartialFile() async throws {
        let fixture = try SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }
        let payload = try Self.randomFile(in: fixture.files, mebibytes: 64)

        let observer = try await fixture.connect()
        defer { Task { await observer.close() } }
        let upload = Task { try await connection.upload(.file(path: payload.path), to: "/tmp/big.bin") }
        // Cancel once the temporary file has started to grow (watched over a second connection).
        for _ in 0..<400 {
            let size = try await observer.run("cat /tmp/.big.bin.skiff-* 2>/dev/null | wc -c").stdoutText
            if (Int(size.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        upload.cancel()
        let error = await sshError { try await upload.value }
        #expect(error?.kind == .cancelled, "got \(String(describing: error))")

        let listing = try await connection.run("ls -a /tmp").stdoutText
        #expect(!listing.contains("big.bin"), "neither the destination nor a temporary file exists: \(listing)")
    }

    @Test func aMissingDirectoryIsAClearError() async throws {
        let fixture = try SSHFixture.start()
        let connection = try await fixture.connect()
        defer { Task { await connection.close() } }

        let error = await sshError {
            try await connection.upload(.bytes(Sensitive([1, 2, 3])), to: "/nonexistent/dir/file")
        }
        #expect(error?.kind == .transferFailed)
        #expect(error?.message.contains("/nonexistent/dir/file") == true)
        #expect(error?.message.contains("no such file") == true, "message: \(error?.message ?? "")")
    }
}
