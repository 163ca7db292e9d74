import OrderedCollections
import SkiffCore
import SkiffTemplate

/// Templates every string inside a value (task arguments, keywords), keeping types where a string is
/// exactly one `{{ expression }}`.
enum ValueRendering {
    static func render(_ value: Value, _ context: TemplateContext, at location: SourceLocation?) throws -> Value {
        switch value {
        case .string(let text) where Template.isTemplated(text):
            return try Template.parsed(text, location: location).evaluate(context)
        case .list(let items):
            return .list(try items.map { try render($0, context, at: location) })
        case .dict(let dict):
            var result = OrderedDictionary<String, Value>()
            for (key, item) in dict {
                let rendered = try render(item, context, at: location)
                if rendered == .string(HostVariables.omit) { continue }
                result[key] = rendered
            }
            return .dict(result)
        default:
            return value
        }
    }

    static func render(_ dict: OrderedDictionary<String, Value>, _ context: TemplateContext, at location: SourceLocation?) throws
        -> OrderedDictionary<String, Value>
    {
        guard case .dict(let result) = try render(.dict(dict), context, at: location) else { return [:] }
        return result
    }
}
