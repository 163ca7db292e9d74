import OrderedCollections
import SkiffCore
import SkiffTemplate

/// Variables an enclosing block or include loop adds for the tasks inside it: a block's `vars:`, which
/// are templates, or an include loop's item, which is data.
struct ScopedVariables: Sendable {
    var values: OrderedDictionary<String, Value>
    var kind: TemplateContext.Kind
}
