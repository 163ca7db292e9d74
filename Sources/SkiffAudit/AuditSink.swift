import OrderedCollections
import SkiffCore

/// Somewhere a run's records go besides the controller's log file: the shared PostgreSQL store
/// (`--audit-url`). It takes the records in order, each batch whole or not at all, and throws when it
/// cannot: the run then stops as it does when the file cannot be written (fail closed).
public protocol AuditSink: Sendable {
    func append(_ records: [(type: String, fields: OrderedDictionary<String, Value>)]) throws(AuditError)
}
