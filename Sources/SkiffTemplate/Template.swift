import OrderedCollections
import SkiffCore

/// A Jinja2 template: text with `{{ expression }}`, `{% if %}`/`{% for %}`/`{% set %}` blocks and
/// `{# comments #}`, with whitespace control (`{%-`, `-%}`) and Ansible's `trim_blocks` (the newline
/// after a block tag is dropped). Parsing checks filter and test names, so an unknown filter is found
/// before anything runs.
public struct Template: Sendable {
    let nodes: [Node]
    public let source: String
    public let location: SourceLocation?
    /// How deep its blocks and their expressions nest, counted towards `TemplateLimits.evaluationDepth`.
    let depth: Int

    indirect enum Node: Sendable {
        case text(String)
        case output(ParsedExpression)
        case conditional([(ParsedExpression, [Node])], otherwise: [Node])
        case loop(variables: [String], ParsedExpression, body: [Node], otherwise: [Node])
        case assign(String, ParsedExpression)
    }

    /// Parses `text`; `location` is where it starts (for a YAML scalar, the scalar's position).
    public init(_ text: String, file: String? = nil, location: SourceLocation? = nil) throws {
        source = text
        self.location = location ?? file.map { SourceLocation(file: $0, line: 1) }
        var reader = TemplateReader(text: text, location: self.location)
        nodes = try reader.parseNodes(until: [])
        depth = Self.depth(of: nodes)
    }

    private static func depth(of nodes: [Node]) -> Int {
        nodes.reduce(0) { deepest, node in
            switch node {
            case .text: return deepest
            case .output(let expression), .assign(_, let expression): return max(deepest, expression.depth)
            case .conditional(let branches, let otherwise):
                let inner = branches.map { max($0.0.depth, depth(of: $0.1)) }.max() ?? 0
                return max(deepest, 1 + max(inner, depth(of: otherwise)))
            case .loop(_, let iterable, let body, let otherwise):
                return max(deepest, 1 + max(iterable.depth, depth(of: body), depth(of: otherwise)))
            }
        }
    }

    /// True when the text holds any `{{`, `{%` or `{#`: plain strings need no rendering.
    public static func isTemplated(_ text: String) -> Bool {
        text.contains("{{") || text.contains("{%") || text.contains("{#")
    }

    /// Renders to text, of at most `TemplateLimits.textBytes` (16 MiB).
    public func render(_ context: TemplateContext) throws -> String {
        try render(with: Evaluator(context: context, nesting: depth))
    }

    /// Renders to text inside another evaluation (a `lookup('template')`), at its depth.
    func render(with evaluator: Evaluator) throws -> String {
        var output = ""
        var iterations = 0
        try render(nodes, context: evaluator.context, into: &output, iterations: &iterations, within: evaluator)
        return output
    }

    /// Evaluates a value from a playbook: a string that is exactly one `{{ expression }}` keeps the
    /// expression's type (a list stays a list); anything else renders to a string.
    public func evaluate(_ context: TemplateContext) throws -> Value {
        try evaluate(with: Evaluator(context: context, nesting: depth))
    }

    func evaluate(with evaluator: Evaluator) throws -> Value {
        if nodes.count == 1, case .output(let expression) = nodes[0] {
            return try expression.evaluate(evaluator)
        }
        var output = ""
        var iterations = 0
        try render(nodes, context: evaluator.context, into: &output, iterations: &iterations, within: evaluator)
        return .string(output)
    }

    private func checkSize(_ output: String, _ at: SourceLocation? = nil) throws {
        let size = output.utf8.count
        guard size > TemplateLimits.textBytes else { return }
        var error = TemplateLimits.tooLarge("the rendered template", size, "bytes", limit: TemplateLimits.textBytes)
        error.location = at ?? location
        throw error
    }

    /// Renders `nodes` onto `output`; `iterations` counts the loop iterations of the whole rendering.
    private func render(
        _ nodes: [Node], context: TemplateContext, into output: inout String, iterations: inout Int, within outer: Evaluator
    ) throws {
        var context = context
        func evaluator() -> Evaluator { Evaluator(context: context, depth: outer.depth, nesting: outer.nesting) }
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
                try checkSize(output)
            case .output(let expression):
                output += try expression.render(evaluator())
                try checkSize(output, expression.location)
            case .conditional(let branches, let otherwise):
                var taken = false
                for (condition, body) in branches where !taken {
                    if try condition.evaluate(evaluator()).isTruthy {
                        try render(body, context: context, into: &output, iterations: &iterations, within: outer)
                        taken = true
                    }
                }
                if !taken { try render(otherwise, context: context, into: &output, iterations: &iterations, within: outer) }
            case .loop(let variables, let iterable, let body, let otherwise):
                let items = try Filters.items(try iterable.evaluate(evaluator()))
                if items.isEmpty { try render(otherwise, context: context, into: &output, iterations: &iterations, within: outer) }
                for (index, item) in items.enumerated() {
                    iterations += 1
                    if iterations > TemplateLimits.loopIterations {
                        var error = TemplateError("loops ran more than \(TemplateLimits.loopIterations) iterations in all")
                        error.location = iterable.location ?? location
                        throw error
                    }
                    var overlay: OrderedDictionary<String, Value> = [
                        "loop": .dict([
                            "index": .int(index + 1), "index0": .int(index), "first": .bool(index == 0),
                            "last": .bool(index == items.count - 1), "length": .int(items.count),
                        ])
                    ]
                    if variables.count == 1 {
                        overlay[variables[0]] = item
                    } else if case .list(let parts) = item {
                        for (name, part) in zip(variables, parts) { overlay[name] = part }
                    }
                    try render(body, context: context.with(overlay), into: &output, iterations: &iterations, within: outer)
                }
            case .assign(let name, let expression):
                context = context.with([name: try expression.evaluate(evaluator())])
            }
        }
    }
}

/// One expression with the text it came from and where, so errors can name both.
struct ParsedExpression: @unchecked Sendable {
    let expression: Expression
    let text: String
    let location: SourceLocation?
    /// How many levels deep the expression nests (at most `TemplateLimits.expressionDepth`).
    let depth: Int

    init(_ text: String, location: SourceLocation?) throws {
        self.text = text
        self.location = location
        do {
            (expression, depth) = try Parser.parse(text)
            try Self.checkNames(expression)
        } catch var error as TemplateError {
            error.location = error.location ?? location
            throw error
        }
    }

    func evaluate(_ evaluator: Evaluator) throws -> Value {
        try located { try evaluator.evaluate(expression).require() }
    }

    /// The value as text in a larger string.
    func render(_ evaluator: Evaluator) throws -> String {
        try located { try evaluator.evaluate(expression).require().renderedChecked() }
    }

    /// An error without a location gets the expression's text and location.
    private func located<Result>(_ work: () throws -> Result) throws -> Result {
        do {
            return try work()
        } catch var error as TemplateError {
            if error.location == nil {
                error = TemplateError("\(error.message) in '{{ \(text.trimmingCharacters(in: " ")) }}'", at: location)
            }
            throw error
        }
    }

    /// Unknown filters and tests are errors as soon as the template is read.
    static func checkNames(_ expression: Expression) throws {
        switch expression {
        case .literal, .variable: break
        case .list(let items): try items.forEach(checkNames)
        case .dict(let pairs): try pairs.forEach { try checkNames($0.0); try checkNames($0.1) }
        case .attribute(let base, _): try checkNames(base)
        case .index(let base, let index): try checkNames(base); try checkNames(index)
        case .slice(let base, let start, let end): try checkNames(base); try start.map(checkNames); try end.map(checkNames)
        case .unary(_, let operand), .not(let operand): try checkNames(operand)
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right):
            try checkNames(left); try checkNames(right)
        case .filter(let base, let name, let arguments):
            guard Filters.isKnown(name) else { throw TemplateError("no filter named '\(name)'") }
            try checkNames(base); try arguments.forEach { try checkNames($0.value) }
        case .test(let base, let name, let arguments, _):
            guard JinjaTests.isKnown(name) else { throw TemplateError("no test named '\(name)'") }
            try checkNames(base); try arguments.forEach { try checkNames($0.value) }
        case .conditional(let value, let condition, let otherwise):
            try checkNames(value); try checkNames(condition); try otherwise.map(checkNames)
        case .call(_, let arguments): try arguments.forEach { try checkNames($0.value) }
        case .method(let base, _, let arguments): try checkNames(base); try arguments.forEach { try checkNames($0.value) }
        }
    }
}

/// A bare expression, as `when:`, `failed_when:`, `changed_when:` and `until:` hold them.
public struct Condition: Sendable {
    let parsed: ParsedExpression

    public init(_ text: String, location: SourceLocation? = nil) throws {
        var expression = text.trimmingCharacters(in: " \n\t")
        // `when: "{{ x }}"` works in Ansible (with a warning); accept it.
        if expression.hasPrefix("{{") && expression.hasSuffix("}}") {
            expression = String(expression.dropFirst(2).dropLast(2))
        }
        parsed = try ParsedExpression(expression, location: location)
    }

    public func evaluate(_ context: TemplateContext) throws -> Bool {
        try parsed.evaluate(Evaluator(context: context, nesting: parsed.depth)).isTruthy
    }

    public func value(_ context: TemplateContext) throws -> Value {
        try parsed.evaluate(Evaluator(context: context, nesting: parsed.depth))
    }
}
