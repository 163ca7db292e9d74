import ArgumentParser
import OrderedCollections
import SkiffAudit
import SkiffAuditStore
import SkiffCore

/// `skiff audit push --audit-url …`: copies the runs of controller logs into the shared store, for
/// runners that were offline or wrote only their own file. Each log's chain is verified first (a broken
/// log is not copied); a run the store already holds is skipped, so pushing twice — or from two runners
/// at once — stores each run once. Records keep their time; the store chains them in its own chain.
struct AuditPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Copy the runs of audit log files into the shared PostgreSQL store (idempotent by run id).")

    @Option(name: .long, help: "Audit log to copy (repeatable; default: the log runs write to).")
    var auditLog: [String] = []

    @Option(name: .customLong("audit-url"), help: "The store (default $SKIFF_AUDIT_URL, ansible.cfg [skiff] audit_url).")
    var auditURL: String?

    func run() async throws {
        do {
            try push()
        } catch let failure as AuditError {
            Console.error(failure.message)
            throw ExitCode(1)
        }
    }

    private func push() throws {
        guard let url = auditURL ?? AuditStoreLocation.resolve(option: nil) else {
            throw ValidationError("audit push needs a store: --audit-url postgresql://… or $SKIFF_AUDIT_URL")
        }
        var logs: [(path: String, bytes: [UInt8])] = []
        for path in AuditLocation.readable(options: auditLog) {
            guard let bytes = FileContents.read(path) else { throw AuditError("cannot read the audit log \(path)") }
            let report = AuditVerifier.verify(bytes: bytes, path: path)
            if let broken = report.broken {
                throw AuditError("\(path) is BROKEN at line \(broken.line) (\(broken.reason)): nothing was copied; `skiff audit verify --audit-log \(path)` tells more")
            }
            logs.append((path, bytes))
        }
        let store = try PostgresAuditStore(url: url, key: try AuditKey.sharedFromEnvironment().map { AuditKey(bytes: $0) })
        for log in logs {
            var runs = OrderedDictionary<String, [(type: String, fields: OrderedDictionary<String, Value>)]>()
            for record in AuditRecord.split(log.bytes).records {
                guard let type = record.type else { continue }
                var fields = record.fields
                guard let run = fields["run"]?.text, !run.isEmpty else { continue }
                for chained in ["seq", "prev", "type", "mac"] { fields.removeValue(forKey: chained) }
                runs[run, default: []].append((type, fields))
            }
            var copied = 0, present = 0, records = 0
            for (run, runRecords) in runs {
                do {
                    if try store.appendRun(run, runRecords) {
                        copied += 1
                        records += runRecords.count
                    } else {
                        present += 1
                    }
                } catch {
                    throw AuditError("\(error.message) (\(copied) run(s) of \(log.path) copied before)")
                }
            }
            Console.out("\(log.path): \(copied) run(s) copied (\(records) records), \(present) already in \(store.location)")
        }
    }
}
