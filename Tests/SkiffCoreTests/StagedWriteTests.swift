import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

/// The shell text Skiff runs on hosts to write files and pass environments, run here by a real `/bin/sh`.
@Suite("staged writes and environment exports")
struct StagedWriteTests {
    static func sh(_ script: String, stdin: String? = nil) -> (status: Int32, output: String) {
        do {
            return (0, try Shell.run(["/bin/sh", "-c", script], stdin: stdin))
        } catch let failure as Shell.Failure {
            return (failure.status, failure.output)
        } catch {
            return (-1, "\(error)")
        }
    }

    @Test func writesTheBytesWithTheExactModeAndLeavesNoTemporaryFile() throws {
        let dir = try ScratchDirectory("staged")
        let dest = dir.file("app.conf")
        for mode: UInt32 in [0o640, 0o755, 0o600, 0o4750] {
            let script = StagedWrite.script(destination: dest, mode: mode, temporary: StagedWrite.temporaryName(for: dest), producer: "printf 'a\\nb'")
            let result = Self.sh(script)
            #expect(result.status == 0, "\(result.output)")
            #expect(try String(contentsOfFile: dest, encoding: .utf8) == "a\nb")
            let permissions = try FileManager.default.attributesOfItem(atPath: dest)[.posixPermissions] as? Int
            #expect(permissions == Int(mode), "mode \(String(mode, radix: 8)): \(String(permissions ?? -1, radix: 8))")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["app.conf"])
    }

    /// The owner of the destination's directory plants a symlink at the temporary name: the write fails
    /// and the file the link points to is neither written nor re-moded.
    @Test func aPlantedSymlinkAtTheTemporaryNameIsNeverFollowed() throws {
        let dir = try ScratchDirectory("staged")
        let victim = try dir.write("victim", "precious\n", mode: 0o600)
        let dest = dir.file("app.conf")
        let temporary = StagedWrite.temporaryName(for: dest)
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: victim)
        for mode: UInt32 in [0o644, 0o755] {
            let result = Self.sh(StagedWrite.script(destination: dest, mode: mode, temporary: temporary, producer: "printf 'evil'"))
            #expect(result.status != 0, "refused: \(result.output)")
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
            #expect(try FileManager.default.attributesOfItem(atPath: victim)[.posixPermissions] as? Int == 0o600)
            #expect(!FileManager.default.fileExists(atPath: dest))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: temporary)) == victim, "someone else's link is left alone")
        }
    }

    @Test func temporaryNamesAreRandomAndBesideTheDestination() {
        let names = Set((0..<100).map { _ in StagedWrite.temporaryName(for: "/srv/app/app.conf") })
        #expect(names.count == 100)
        #expect(names.allSatisfy { $0.hasPrefix("/srv/app/.app.conf.skiff-") && $0.hasSuffix(".tmp") && $0.count == "/srv/app/.app.conf.skiff-".count + 16 + 4 })
    }

    @Test func exportsReachTheCommandExactlyFromStdin() {
        let values = ["plain", "with space and 'quote' and \"double\"", "$(touch /nonexistent)`id`", "line1\nline2\n", "\n", "", "tab\there\r\n"]
        for value in values {
            let exports = EnvironmentExports.line(["V": value, "W": "second"])
            #expect(!exports.contains("\n"), "one line")
            let script = EnvironmentExports.prologue + "printf '%s|' \"$V\" \"$W\"; cat"
            let result = Self.sh(script, stdin: exports + "\nrest of stdin")
            #expect(result.status == 0)
            #expect(result.output == value + "|second|rest of stdin", "value \(value.debugDescription): \(result.output.debugDescription)")
        }
    }

    @Test func namesThatAreNotShellVariablesAreNeverExported() {
        #expect(EnvironmentExports.isName("DOCKER_CONFIG") && EnvironmentExports.isName("_x1"))
        for bad in ["", "1A", "A-B", "A;touch x", "A B", "Ä"] {
            #expect(!EnvironmentExports.isName(bad), "\(bad)")
            #expect(EnvironmentExports.line([bad: "v"]).isEmpty)
        }
    }
}
