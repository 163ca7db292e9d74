import ArgumentParser
import SkiffAudit
import SkiffAuditStore

/// `skiff audit verify`: walks each log's chain and checks each record's MAC and the head. Exit 0 intact,
/// 1 broken (a record was changed, forged, removed, reordered or inserted, the head is missing, garbled
/// or forged, or a run recovered past a record that had been cut down), 3 intact up to a torn last line
/// (an interrupted write, which the next run recovers from). Recovered torn writes, records written
/// without a MAC by older versions and a head left behind by a crash are listed every time.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check the audit log's hash chain, MACs and head; report the first broken link with its line number.")

    @OptionGroup var logs: AuditLogOptions
    @OptionGroup var hostLogs: HostLogOptions

    func run() async throws {
        if hostLogs.fromHosts { try await verifyHosts() }
        if let url = logs.storeURL { try verifyStore(url) }
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
            for recovery in report.recoveries {
                Console.out("  line \(recovery.line): \(recovery.bytes) bytes of a torn write, discarded (recorded at line \(recovery.recordLine))")
            }
            if report.unkeyed > 0 {
                Console.out("  lines 1–\(report.lastUnkeyedLine): \(report.unkeyed) record(s) carry no MAC (written by an older version): their chain holds, "
                            + "but anyone able to write the log could have written them")
            }
            if let lag = report.headLag {
                Console.out("  the head names record \(lag.head), the log goes on to record \(lag.last) (MACs valid): "
                            + "a writer stopped between writing the log and its head")
            }
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// The shared store: its chain, its records' MACs (with the fleet's shared key, `SKIFF_AUDIT_KEY`), and
    /// its head row. Exit 1 when broken.
    private func verifyStore(_ url: String) throws {
        do {
            let store = try PostgresAuditStore(url: url, key: nil)
            let (lines, head) = try store.read()
            let key = try AuditKey.sharedFromEnvironment().map { AuditKey(bytes: $0) }
            let report = AuditVerifier.verify(store: lines, name: store.location, key: key, head: head)
            if let broken = report.broken {
                Console.out("\(store.location): BROKEN at record \(broken.line): \(broken.reason)")
                Console.out("  \(report.records) record(s) before it are intact")
                throw ExitCode(1)
            }
            let keyed = report.unkeyed == report.records ? "chained, no MACs: written without a shared SKIFF_AUDIT_KEY" : "chained and keyed"
            Console.out("\(store.location): intact, \(report.records) records (\(keyed))")
            throw ExitCode.success
        } catch let error as AuditError {
            Console.error(error.message)
            throw ExitCode(1)
        }
    }

    /// `--from-hosts`: each host's own log, its chain (a host's log has no MAC and no head: a host cannot
    /// hold the controller's key). Exit 1 when a chain is broken, 4 when a host could not be read.
    private func verifyHosts() async throws {
        var status: Int32 = 0
        for (host, log) in try await hostLogs.read() {
            switch log {
            case .failure(let error):
                Console.out("\(host): UNREADABLE: \(error)")
                status = status == 1 ? 1 : 4
            case .success(let bytes):
                let report = AuditVerifier.verify(hostLog: bytes, name: host)
                if let broken = report.broken {
                    Console.out("\(host): BROKEN at line \(broken.line): \(broken.reason)")
                    Console.out("  \(report.records) record(s) before it are intact")
                    status = 1
                } else if let torn = report.tornTail {
                    Console.out("\(host): intact up to line \(report.lastLine) (\(report.records) records); line \(torn.line) is torn (\(torn.bytes) bytes)")
                } else {
                    Console.out("\(host): intact, \(report.records) records (chained; a host's log carries no MAC)")
                }
            }
        }
        if status != 0 { throw ExitCode(status) }
        throw ExitCode.success
    }
}
