import OrderedCollections
import SkiffCore

/// Evaluates a parsed expression against a context.
struct Evaluator {
    let context: TemplateContext
    /// How many variables deep the current evaluation is (a variable whose value is a template).
    var depth = 0
    /// How deep the templates being evaluated nest, added up along the variables that use each other.
    var nesting = 0

    static let maximumDepth = 40

    func evaluate(_ expression: Expression) throws -> Evaluated {
        switch expression {
        case .literal(let value):
            return .value(value)
        case .variable(let name):
            if let value = context.variables[name] { return .value(try variable(name, value)) }
            return .undefined(name)
        case .list(let items):
            return .value(.list(try items.map { try evaluate($0).require() }))
        case .dict(let pairs):
            var dict = OrderedDictionary<String, Value>()
            for (key, value) in pairs {
                dict[try evaluate(key).require().renderedChecked()] = try evaluate(value).require()
            }
            return .value(.dict(dict))
        case .attribute(let base, let name):
            return try member(of: evaluate(base), name: name, path: describe(base) + "." + name)
        case .index(let base, let index):
            let key = try evaluate(index).require()
            return try subscriptValue(evaluate(base), key, path: describe(base) + "[\(key.pythonRepr())]")
        case .slice(let base, let start, let end):
            return .value(try slice(evaluate(base).require(), start.map { try evaluate($0).require() }, end.map { try evaluate($0).require() }))
        case .unary(let op, let operand):
            let value = try evaluate(operand).require()
            switch (op, value) {
            case ("-", .int(let number)): return .value(.int(try IntegerMath.negate(number)))
            case ("-", .double(let number)): return .value(.double(-number))
            case ("+", .int), ("+", .double): return .value(value)
            default: throw TemplateError("bad operand type for unary \(op): '\(value.typeName)'")
            }
        case .binary(let op, let left, let right):
            return .value(try Operators.apply(op, try evaluate(left).require(), try evaluate(right).require()))
        case .and(let left, let right):
            let first = try evaluate(left).require()
            return first.isTruthy ? .value(try evaluate(right).require()) : .value(first)
        case .or(let left, let right):
            let first = try evaluate(left).require()
            return first.isTruthy ? .value(first) : .value(try evaluate(right).require())
        case .not(let operand):
            return .value(.bool(!(try evaluate(operand).require().isTruthy)))
        case .filter(let base, let name, let arguments):
            return try Filters.apply(name, to: evaluate(base), arguments: try evaluateArguments(arguments), evaluator: self)
        case .test(let base, let name, let arguments, let negated):
            let result = try JinjaTests.apply(name, to: evaluate(base), arguments: try evaluateArguments(arguments).map(\.value))
            return .value(.bool(result != negated))
        case .conditional(let value, let condition, let otherwise):
            if try evaluate(condition).require().isTruthy { return try evaluate(value) }
            return try otherwise.map(evaluate) ?? .value(.string(""))
        case .call(let name, let arguments):
            return .value(try Lookups.call(name, arguments: try evaluateArguments(arguments), evaluator: self))
        case .method(let base, let name, let arguments):
            return .value(try Methods.call(name, on: evaluate(base).require(), arguments: try evaluateArguments(arguments).map(\.value)))
        }
    }

    /// A variable's value as a template sees it: a template variable is rendered, data is used as it
    /// is (see `TemplateContext`); in `hostvars`, each host's inventory variables are rendered and its
    /// facts and runtime results are not.
    func variable(_ name: String, _ value: Value) throws -> Value {
        if context.isData(name) { return value }
        if name == "hostvars", case .dict(let hosts) = value {
            var result = hosts
            for (host, entry) in hosts {
                guard case .dict(let variables) = entry else { continue }
                let data = context.hostvarsData[host] ?? []
                var rendered = variables
                for (key, item) in variables where !data.contains(key) { rendered[key] = try resolve(item, name: key) }
                result[host] = .dict(rendered)
            }
            return .dict(result)
        }
        return try resolve(value, name: name)
    }

    /// Variables are templated when they are used, as in Ansible: a variable whose value holds
    /// `{{ }}` is rendered in the same context (lists and dicts item by item).
    private func resolve(_ value: Value, name: String) throws -> Value {
        switch value {
        case .string(let text) where Template.isTemplated(text):
            let template = try Template.parsed(text)
            return try template.evaluate(with: entering(template, "template string for '\(name)'"))
        case .list(let items):
            return .list(try items.map { try resolve($0, name: name) })
        case .dict(let dict):
            var result = dict
            for (key, item) in dict { result[key] = try resolve(item, name: name) }
            return .dict(result)
        default:
            return value
        }
    }

    /// The evaluator for a template used inside this evaluation: a variable's value or a looked-up file.
    /// Too many such levels are a loop; their nesting added up must stay within
    /// `TemplateLimits.evaluationDepth`, which keeps the evaluation within the stack.
    func entering(_ template: Template, _ what: String) throws -> Evaluator {
        guard depth < Self.maximumDepth else { throw TemplateError("recursive loop detected in \(what)") }
        guard nesting + template.depth <= TemplateLimits.evaluationDepth else {
            throw TemplateError("\(what) and the templates it is used in nest more than \(TemplateLimits.evaluationDepth) levels deep")
        }
        var inner = self
        inner.depth += 1
        inner.nesting += template.depth
        return inner
    }

    struct EvaluatedArgument {
        let name: String?
        let value: Value
    }

    private func evaluateArguments(_ arguments: [Argument]) throws -> [EvaluatedArgument] {
        try arguments.map { EvaluatedArgument(name: $0.name, value: try evaluate($0.value).require()) }
    }

    /// `a.b`: a dict key, else undefined (an error only if used).
    private func member(of base: Evaluated, name: String, path: String) throws -> Evaluated {
        guard case .value(let value) = base else { return base }
        if case .dict(let dict) = value { return dict[name].map(Evaluated.value) ?? .undefined(path) }
        if case .list(let items) = value, let index = Int(name), items.indices.contains(index) { return .value(items[index]) }
        return .undefined(path)
    }

    private func subscriptValue(_ base: Evaluated, _ key: Value, path: String) throws -> Evaluated {
        guard case .value(let value) = base else { return base }
        switch (value, key) {
        case (.dict(let dict), _):
            return try dict[key.renderedChecked()].map(Evaluated.value) ?? .undefined(path)
        case (.list(let items), .int(let index)):
            let position = index < 0 ? items.count + index : index
            return items.indices.contains(position) ? .value(items[position]) : .undefined(path)
        case (.string(let text), .int(let index)):
            let characters = Array(text)
            let position = index < 0 ? characters.count + index : index
            return characters.indices.contains(position) ? .value(.string(String(characters[position]))) : .undefined(path)
        default:
            throw TemplateError("cannot index \(value.typeName) with \(key.typeName) in '\(path)'")
        }
    }

    private func slice(_ value: Value, _ start: Value?, _ end: Value?) throws -> Value {
        func bounds(_ count: Int) -> Range<Int> {
            func clamp(_ v: Value?, _ fallback: Int) -> Int {
                guard case .int(let n)? = v else { return fallback }
                return max(0, min(count, n < 0 ? count + n : n))
            }
            let lower = clamp(start, 0)
            return lower..<max(lower, clamp(end, count))
        }
        switch value {
        case .list(let items): return .list(Array(items[bounds(items.count)]))
        case .string(let text):
            let characters = Array(text)
            return .string(String(characters[bounds(characters.count)]))
        default: throw TemplateError("cannot slice \(value.typeName)")
        }
    }

    /// The source form of a variable path, for messages: `result.stdout`, `groups['web']`.
    func describe(_ expression: Expression) -> String {
        switch expression {
        case .variable(let name): return name
        case .attribute(let base, let name): return describe(base) + "." + name
        case .index(let base, .literal(let key)): return describe(base) + "[\(key.pythonRepr())]"
        case .index(let base, _): return describe(base) + "[...]"
        default: return "expression"
        }
    }
}
