import ArgumentParser
import SkiffAudit

/// `skiff audit verify`: walks each log's hash chain. Exit 0 intact, 1 a broken link (a record was
/// changed, removed, reordered or inserted), 3 intact up to a torn last line (an interrupted write,
/// which the next run recovers from).
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check the audit log's hash chain; report the first broken link with its line number.")

    @OptionGroup var logs: AuditLogOptions

    func run() async throws {
        var status: Int32 = 0
        for path in logs.paths {
            let report = AuditVerifier.verify(path: path)
            if let broken = report.broken {
                Console.out("\(path): BROKEN at line \(broken.line): \(broken.reason)")
                Console.out("  \(report.records) record(s) before it are intact")
                status = 1
            } else if let torn = report.tornTail {
                Console.out("\(path): intact up to line \(report.lastLine) (\(report.records) records); line \(torn.line) is torn "
                            + "(\(torn.bytes) bytes of an interrupted write; the next run records 'recovered' after it)")
                status = max(status, 3)
            } else {
                let recovered = report.recovered > 0 ? ", \(report.recovered) torn write(s) recovered" : ""
                Console.out("\(path): intact, \(report.records) records\(recovered)")
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
