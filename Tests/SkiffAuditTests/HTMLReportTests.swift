import Foundation
import OrderedCollections
import SkiffAudit
import SkiffCore
import SkiffTestSupport
import Testing

/// `skiff audit report --html`: the page of one run, read back from a real audit log.
@Suite("HTML report")
struct HTMLReportTests {
    static func cells(_ counts: Int...) -> String { counts.map { "<td>\($0)</td>" }.joined() }

    @Test func aHostRefusedItsDeployLockIsCountedAsLockedInTheRecap() async throws {
        let (log, scratch) = try AuditLogTests.log()
        defer { withExtendedLifetime(scratch) {} }
        let run = RunID.make()
        let recorder = AuditRecorder(log: log, runID: run) { error in Issue.record("write failed: \(error)") }
        try recorder.started(["operator": "ci@build"])
        recorder.handle(.playStarted(name: "Deploy", pattern: "app", hosts: ["web1", "web2"]))
        recorder.handle(.hostResult(HostResult(host: "web1", task: "Start", status: .changed, duration: .milliseconds(80))))
        recorder.handle(.hostResult(HostResult(host: "web2", task: "Start", status: .locked,
                                               message: "the deploy lock is held by run r-1 by ops@laptop", duration: .milliseconds(40))))
        var web1 = HostRecap(host: "web1")
        web1.count(.changed)
        var web2 = HostRecap(host: "web2")
        web2.count(.locked)
        await recorder.finished([web1, web2], exitCode: HostRecap.lockRefusedExitCode, duration: .seconds(1), interrupted: false)

        let detail = try RunDetail(run: run, history: try AuditHistory(logs: [log.path]), logs: [log.path])
        let page = HTMLReport.render(detail)
        let header = try #require(page.firstMatch(of: /<tr><th>Host<\/th>.*<\/tr>/)).0
        #expect(header.contains("<th>ignored</th><th>locked</th><th>Deployed</th>"), "\(header)")
        let rows = page.split(separator: "\n").map(String.init)
        // ok, changed, unreachable, failed, skipped, rescued, ignored, locked, deployed
        #expect(rows.contains("<tr><td><a href=\"#host-web1\">web1</a></td>" + Self.cells(1, 1, 0, 0, 0, 0, 0, 0) + "<td></td></tr>"), "\(page)")
        #expect(rows.contains("<tr><td><a href=\"#host-web2\">web2</a></td>" + Self.cells(0, 0, 0, 0, 0, 0, 0, 1) + "<td></td></tr>"), "\(page)")
        #expect(page.contains("<span class=\"badge locked\">locked</span>"), "the host's timeline shows the refusal")
    }
}
