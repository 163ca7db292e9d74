import OrderedCollections
import SkiffCore

/// What a template can see: variables, the process environment (for `lookup('env', …)`) and the
/// directories `lookup('file', …)` and `lookup('template', …)` search.
public struct TemplateContext: Sendable {
    public var variables: OrderedDictionary<String, Value>
    public var environment: @Sendable (String) -> String?
    public var searchPaths: [String]

    public init(
        variables: OrderedDictionary<String, Value> = [:],
        environment: @escaping @Sendable (String) -> String? = { Environment.value($0) },
        searchPaths: [String] = ["."]
    ) {
        self.variables = variables
        self.environment = environment
        self.searchPaths = searchPaths
    }

    /// A copy with more variables on top (loop variables, `{% set %}`).
    func with(_ overlay: OrderedDictionary<String, Value>) -> TemplateContext {
        var copy = self
        copy.variables.merge(overlay) { $1 }
        return copy
    }
}
