import SkiffCore
import Synchronization

/// Parsed templates by source text and location, shared by every host of a run: a task's arguments
/// are the same text on every host, so each is parsed once rather than once per host and task.
/// Only templates that parsed are kept (an error is reported, with its location, each time); the
/// cache is emptied when it grows past `limit` entries.
final class TemplateCache: Sendable {
    static let shared = TemplateCache(limit: 4096)

    private struct Key: Hashable {
        let text: String
        let location: SourceLocation?
    }

    private let limit: Int
    private let templates = Mutex<[Key: Template]>([:])

    init(limit: Int) { self.limit = limit }

    func template(_ text: String, location: SourceLocation?) throws -> Template {
        let key = Key(text: text, location: location)
        if let known = templates.withLock({ $0[key] }) { return known }
        let parsed = try Template(text, location: location)
        templates.withLock {
            if $0.count >= limit { $0.removeAll(keepingCapacity: true) }
            $0[key] = parsed
        }
        return parsed
    }
}

extension Template {
    /// The template for `text`, parsed once per run (see `TemplateCache`).
    public static func parsed(_ text: String, location: SourceLocation? = nil) throws -> Template {
        try TemplateCache.shared.template(text, location: location)
    }
}
