import SkiffCore

/// Bounds what a document's aliases may expand to. A few bytes of nested anchors and aliases (a
/// "billion laughs" document) describe billions of nodes; every reader of a document walks it expanded,
/// so a document whose aliases produce more than `limit` nodes is refused, at the alias that crosses the bound.
///
/// The count runs over the composed tree once, each anchored node measured once (an alias use adds the
/// size measured for its anchor), so checking takes time in proportion to the document's text.
struct AliasExpansion {
    /// Nodes that aliases may produce in one document. Real inventories and playbooks that reuse
    /// blocks through aliases stay far below it; ten thousand copies of a ten-key mapping would be 110,000.
    static let limit = 100_000

    let file: String
    private var measured: [ObjectIdentifier: Int] = [:]
    private var produced = 0

    init(file: String) {
        self.file = file
    }

    /// Throws when the aliases of the document below `root` produce more than `limit` nodes.
    static func check(_ root: Node, file: String) throws {
        var counter = AliasExpansion(file: file)
        _ = try counter.size(of: root, in: nil)
    }

    /// How many nodes `node` stands for with its aliases expanded; `container` holds it.
    private mutating func size(of node: Node, in container: Node?) throws -> Int {
        if let anchor = node.anchor, let known = measured[ObjectIdentifier(anchor)] {
            // A second appearance of an anchored node is an alias use, written in `container`.
            produced += known
            if produced > Self.limit {
                throw YAMLError(
                    "YAML aliases expand to more than \(Self.limit) nodes (here, through '*\(anchor.rawValue)')",
                    at: YAMLValue.location(of: container ?? node, file: file))
            }
            return known
        }
        var total = 1
        switch node {
        case .scalar, .alias:
            break
        case .sequence(let sequence):
            for item in sequence { total += try size(of: item, in: node) }
        case .mapping(let mapping):
            for (key, value) in mapping { total += try size(of: key, in: node) + size(of: value, in: node) }
        }
        if let anchor = node.anchor { measured[ObjectIdentifier(anchor)] = total }
        return total
    }
}
