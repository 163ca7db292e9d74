import OrderedCollections
import SkiffCore
import SkiffPlaybook
import SkiffTemplate

/// The items a task (or an `include_tasks`) loops over, and the variables each item is seen as: `loop`
/// and the `with_*` forms Ansible's lookups give, with `loop_control`'s `loop_var` and `index_var`.
struct LoopItems {
    let items: [Value]
    let loopVariable: String
    let indexVariable: String?

    /// The variables one item adds to the context.
    func variables(_ index: Int) -> OrderedDictionary<String, Value> {
        var variables: OrderedDictionary<String, Value> = [loopVariable: items[index]]
        if let indexVariable { variables[indexVariable] = .int(index) }
        return variables
    }

    /// nil when the keywords hold no loop.
    static func resolve(_ keywords: OrderedDictionary<String, Value>, _ context: TemplateContext, at location: SourceLocation) throws -> LoopItems? {
        guard let (keyword, loop) = keywords.first(where: { TaskLoops.keywords.contains($0.key) }) else { return nil }
        let rendered = try ValueRendering.render(loop, context, at: location)
        let control = keywords["loop_control"]?.dictValue ?? [:]
        let loopVariable = control["loop_var"].map(\.text).flatMap { $0.isEmpty ? nil : $0 } ?? "item"
        let indexVariable = control["index_var"].map(\.text).flatMap { $0.isEmpty ? nil : $0 }
        return LoopItems(items: try items(keyword, rendered, at: location), loopVariable: loopVariable, indexVariable: indexVariable)
    }

    private static func items(_ keyword: String, _ value: Value, at location: SourceLocation) throws -> [Value] {
        func list(_ value: Value) throws -> [Value] {
            guard case .list(let items) = value else { throw TemplateError("\(keyword) needs a list, not \(value.text)", at: location) }
            return items
        }
        func flattenedOnce(_ value: Value) -> [Value] {
            guard case .list(let items) = value else { return [value] }
            return items.flatMap { item -> [Value] in if case .list(let inner) = item { return inner } else { return [item] } }
        }
        switch keyword {
        case "with_items":
            return flattenedOnce(value)
        case "with_dict":
            guard case .dict(let dict) = value else { throw TemplateError("with_dict needs a mapping, not \(value.text)", at: location) }
            return dict.map { .dict(["key": .string($0.key), "value": $0.value]) }
        case "with_indexed_items":
            return flattenedOnce(value).enumerated().map { .list([.int($0.offset), $0.element]) }
        case "with_together":
            let lists = try list(value).map { try list($0) }
            let longest = lists.map(\.count).max() ?? 0
            return (0..<longest).map { index in .list(lists.map { index < $0.count ? $0[index] : .null }) }
        case "with_nested":
            return try list(value).map { try list($0) }.reduce([[]] as [[Value]]) { partial, next in
                partial.flatMap { prefix in next.map { prefix + [$0] } }
            }.map(Value.list)
        default:
            return try list(value)
        }
    }
}
