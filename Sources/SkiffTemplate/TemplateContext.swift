import OrderedCollections
import SkiffCore

/// What a template can see: variables, the process environment (for `lookup('env', …)`) and the
/// directories `lookup('file', …)` and `lookup('template', …)` search.
///
/// A variable is either a template — written in a playbook, an inventory, a vars file or `-e`, and
/// rendered when it is used, as Ansible does — or data: what hosts returned (registered results,
/// facts), what `set_fact`, loops and templates produced. Data is used as it is and never templated
/// again (Ansible's "unsafe" values), so host output holding `{{ … }}` can neither read the
/// controller's variables and environment nor break the run. Variables enter only through `merge(_:as:)`
/// and `with(_:)`, which say which kind they are.
public struct TemplateContext: Sendable {
    /// Whether a variable's value is rendered when used.
    public enum Kind: Sendable {
        /// Written by the user: strings holding `{{ }}` are rendered when the variable is used.
        case template
        /// Produced at run time: used as it is.
        case data
    }

    public private(set) var variables: OrderedDictionary<String, Value>
    /// The names whose values are data.
    public private(set) var dataNames: Set<String> = []
    /// For `hostvars`: the names in each host's entry whose values are data (its facts, registered
    /// results and `set_fact` values); the others are its inventory variables, which are templates.
    public var hostvarsData: [String: Set<String>] = [:]
    public var environment: @Sendable (String) -> String?
    public var searchPaths: [String]

    /// A context whose `variables` are all templates (`merge(_:as:)` adds data).
    public init(
        variables: OrderedDictionary<String, Value> = [:],
        environment: @escaping @Sendable (String) -> String? = { Environment.value($0) },
        searchPaths: [String] = ["."]
    ) {
        self.variables = variables
        self.environment = environment
        self.searchPaths = searchPaths
    }

    /// Puts `overlay` on top of the variables, as templates or as data.
    public mutating func merge(_ overlay: OrderedDictionary<String, Value>, as kind: Kind) {
        variables.merge(overlay) { $1 }
        switch kind {
        case .template: dataNames.subtract(overlay.keys)
        case .data: dataNames.formUnion(overlay.keys)
        }
    }

    /// Sets one variable, as a template or as data.
    public mutating func set(_ name: String, _ value: Value, as kind: Kind) {
        merge([name: value], as: kind)
    }

    /// Whether `name`'s value is used as it is.
    public func isData(_ name: String) -> Bool { dataNames.contains(name) }

    /// A copy with more variables on top, which are data (loop variables, `{% set %}`: values the
    /// template computed).
    func with(_ overlay: OrderedDictionary<String, Value>) -> TemplateContext {
        var copy = self
        copy.merge(overlay, as: .data)
        return copy
    }
}
