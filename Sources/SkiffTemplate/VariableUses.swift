/// The variables a template or condition reads by name, for the check before the run that every
/// variable has a source. Names the template binds itself (`{% set %}`, `{% for %}`, `loop`) are left
/// out. `guarded` names are ones the template allows to be undefined somewhere — the base of a
/// `default`/`d` filter or of an `is defined`/`is undefined` test — and count as guarded everywhere in
/// it (`{% if x is defined %}{{ x }}{% endif %}`, `x if x is defined else y`): the check errs toward
/// no error.
public struct VariableUses: Sendable, Equatable {
    public var read: Set<String> = []
    public var guarded: Set<String> = []

    public init() {}

    /// Read and not guarded: the names that must have a source.
    public var unguarded: Set<String> { read.subtracting(guarded) }

    mutating func add(_ expression: Expression, bound: Set<String>) {
        switch expression {
        case .literal: break
        case .variable(let name): if !bound.contains(name) { read.insert(name) }
        case .list(let items): for item in items { add(item, bound: bound) }
        case .dict(let pairs): for (key, value) in pairs { add(key, bound: bound); add(value, bound: bound) }
        case .attribute(let base, _): add(base, bound: bound)
        case .index(let base, let index): add(base, bound: bound); add(index, bound: bound)
        case .slice(let base, let start, let end):
            add(base, bound: bound)
            if let start { add(start, bound: bound) }
            if let end { add(end, bound: bound) }
        case .unary(_, let operand), .not(let operand): add(operand, bound: bound)
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right):
            add(left, bound: bound); add(right, bound: bound)
        case .filter(let base, let name, let arguments):
            if ["default", "d"].contains(name) { allowUndefined(base) }
            add(base, bound: bound)
            for argument in arguments { add(argument.value, bound: bound) }
        case .test(let base, let name, let arguments, _):
            if ["defined", "undefined"].contains(name) { allowUndefined(base) }
            add(base, bound: bound)
            for argument in arguments { add(argument.value, bound: bound) }
        case .conditional(let value, let condition, let otherwise):
            add(value, bound: bound); add(condition, bound: bound)
            if let otherwise { add(otherwise, bound: bound) }
        case .call(_, let arguments): for argument in arguments { add(argument.value, bound: bound) }
        case .method(let base, _, let arguments):
            add(base, bound: bound)
            for argument in arguments { add(argument.value, bound: bound) }
        }
    }

    /// Every name in `expression` may be undefined.
    private mutating func allowUndefined(_ expression: Expression) {
        var inner = VariableUses()
        inner.add(expression, bound: [])
        guarded.formUnion(inner.read)
    }
}

extension Template {
    /// The variables the template reads by name (see `VariableUses`).
    public var variableUses: VariableUses {
        var uses = VariableUses()
        // Conservative: a name the template binds anywhere counts as bound everywhere in it.
        let bound = Self.boundNames(nodes)
        func walk(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .text: break
                case .output(let parsed), .assign(_, let parsed): uses.add(parsed.expression, bound: bound)
                case .conditional(let branches, let otherwise):
                    for (condition, body) in branches {
                        uses.add(condition.expression, bound: bound)
                        walk(body)
                    }
                    walk(otherwise)
                case .loop(_, let iterable, let body, let otherwise):
                    uses.add(iterable.expression, bound: bound)
                    walk(body)
                    walk(otherwise)
                }
            }
        }
        walk(nodes)
        return uses
    }

    private static func boundNames(_ nodes: [Node]) -> Set<String> {
        var names = Set<String>()
        for node in nodes {
            switch node {
            case .text, .output: break
            case .assign(let name, _): names.insert(name)
            case .conditional(let branches, let otherwise):
                for (_, body) in branches { names.formUnion(boundNames(body)) }
                names.formUnion(boundNames(otherwise))
            case .loop(let variables, _, let body, let otherwise):
                names.formUnion(variables)
                names.insert("loop")
                names.formUnion(boundNames(body))
                names.formUnion(boundNames(otherwise))
            }
        }
        return names
    }
}

extension Condition {
    /// The variables the condition reads by name (see `VariableUses`).
    public var variableUses: VariableUses {
        var uses = VariableUses()
        uses.add(parsed.expression, bound: [])
        return uses
    }
}
