import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffAudit

/// `skiff audit report RUN --html FILE`: one run as a self-contained HTML page for CI to archive.
struct AuditReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Write one run as a self-contained HTML page.")

    @OptionGroup var logs: AuditLogOptions
    @Argument(help: "Run id (or a unique prefix of it).") var run: String
    @Option(help: "The HTML file to write.") var html: String

    func run() async throws {
        do {
            let detail = try logs.detail(run)
            try HTMLReport.render(detail).write(toFile: html, atomically: true, encoding: .utf8)
            Console.out("wrote \(html)")
        } catch let error as AuditError {
            Console.error(error.message)
            throw ExitCode(1)
        }
    }
}
