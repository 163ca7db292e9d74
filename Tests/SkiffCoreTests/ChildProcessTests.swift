import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

/// Programs Skiff starts on the controller (a vault password script, local steps).
@Suite("child processes on the controller")
struct ChildProcessTests {
    /// A script still open for writing somewhere (its writer forked a process that has not exec'd yet)
    /// cannot be executed ("Text file busy"). Skiff waits for the writer to let go instead of failing the
    /// run; here the script is held open for 300 ms.
    @Test func aScriptStillOpenForWritingRunsOnceItIsClosed() throws {
        let dir = try ScratchDirectory("child-process")
        let script = try dir.write("password.sh", "#!/bin/sh\nexit 7\n", mode: 0o700)
        let writer = open(script, O_WRONLY)
        try #require(writer >= 0)
        let closer = Thread {
            usleep(300_000)
            close(writer)
        }
        closer.start()
        let started = ContinuousClock.now
        let child = try ChildProcess(script, arguments: [])
        #expect(child.wait() == .exited(7))
        #expect(ContinuousClock.now - started >= .milliseconds(250), "it ran only once the writer closed it")
    }

    /// A script that stays busy is reported as such, after the wait.
    @Test func aScriptThatStaysBusyIsReported() throws {
        let dir = try ScratchDirectory("child-process")
        let script = try dir.write("password.sh", "#!/bin/sh\nexit 0\n", mode: 0o700)
        let writer = open(script, O_WRONLY)
        try #require(writer >= 0)
        defer { close(writer) }
        do {
            let child = try ChildProcess(script, arguments: [])
            Issue.record("a busy script ran: \(child.wait())")
        } catch {
            #expect(error.code == ETXTBSY && "\(error)".contains("Text file busy"), "\(error)")
        }
    }
}
