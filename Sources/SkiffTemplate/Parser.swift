import SkiffCore

/// Parses Jinja2 expressions with Jinja2's precedence: conditional, `or`, `and`, `not`, comparisons,
/// `+ -`, `~`, `* / // %`, `**`, unary, then primaries with attributes, subscripts, filters and tests.
/// An expression nested more than `TemplateLimits.expressionDepth` levels deep is an error, found while
/// parsing, before the nesting can exhaust the stack of the parser or of whatever walks the expression.
struct Parser {
    private var tokens: [Token]
    private var position = 0
    private let text: String
    /// How many nested parse calls are open now.
    private var nesting = 0

    /// An expression and how many levels deep its nodes nest.
    private struct Parsed {
        let expression: Expression
        let depth: Int
    }

    /// The expression and how many levels deep it nests.
    static func parse(_ text: String) throws -> (expression: Expression, depth: Int) {
        var parser = Parser(tokens: try Lexer.tokens(text), text: text)
        let parsed = try parser.parseExpression()
        guard parser.current == .end else {
            throw TemplateError("unexpected \(parser.describe(parser.current)) in expression '\(text.prefix(200))'")
        }
        return (parsed.expression, parsed.depth)
    }

    private init(tokens: [Token], text: String) {
        self.tokens = tokens
        self.text = text
    }

    private var current: Token { tokens[position] }
    private var next: Token { position + 1 < tokens.count ? tokens[position + 1] : .end }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isName(_ word: String) -> Bool { current == .name(word) }
    private func isSymbol(_ symbol: String) -> Bool { current == .symbol(symbol) }

    private mutating func accept(_ symbol: String) -> Bool {
        guard isSymbol(symbol) else { return false }
        advance()
        return true
    }

    private mutating func acceptName(_ word: String) -> Bool {
        guard isName(word) else { return false }
        advance()
        return true
    }

    private mutating func expect(_ symbol: String) throws {
        guard accept(symbol) else {
            throw TemplateError("expected '\(symbol)' but found \(describe(current)) in expression '\(text)'")
        }
    }

    private func tooDeep() -> TemplateError {
        TemplateError("expression nested more than \(TemplateLimits.expressionDepth) levels deep in expression '\(text.prefix(200))'")
    }

    /// A node over `parts`, one level deeper than the deepest of them.
    private func node(_ expression: Expression, _ parts: Parsed?...) throws -> Parsed {
        let depth = 1 + parts.reduce(0) { max($0, $1?.depth ?? 0) }
        guard depth <= TemplateLimits.expressionDepth else { throw tooDeep() }
        return Parsed(expression: expression, depth: depth)
    }

    /// A node over a list of parts.
    private func node(_ expression: Expression, all parts: [Parsed]) throws -> Parsed {
        let depth = 1 + parts.reduce(0) { max($0, $1.depth) }
        guard depth <= TemplateLimits.expressionDepth else { throw tooDeep() }
        return Parsed(expression: expression, depth: depth)
    }

    /// Runs a parse step that may recurse, refusing to go deeper than the limit.
    private mutating func nested<Result>(_ step: (inout Parser) throws -> Result) throws -> Result {
        guard nesting < TemplateLimits.expressionDepth else { throw tooDeep() }
        nesting += 1
        defer { nesting -= 1 }
        return try step(&self)
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .name(let name): return "'\(name)'"
        case .string(let value): return "string '\(value)'"
        case .integer(let number): return "'\(number)'"
        case .float(let number): return "'\(number)'"
        case .symbol(let symbol): return "'\(symbol)'"
        case .end: return "end of expression"
        }
    }

    private mutating func parseExpression() throws -> Parsed {
        try nested { parser in
            var expression = try parser.parseOr()
            while parser.acceptName("if") {
                let condition = try parser.parseOr()
                let otherwise = parser.acceptName("else") ? try parser.parseExpression() : nil
                expression = try parser.node(
                    .conditional(expression.expression, condition: condition.expression, otherwise: otherwise?.expression),
                    expression, condition, otherwise)
            }
            return expression
        }
    }

    private mutating func parseOr() throws -> Parsed {
        var left = try parseAnd()
        while acceptName("or") {
            let right = try parseAnd()
            left = try node(.or(left.expression, right.expression), left, right)
        }
        return left
    }

    private mutating func parseAnd() throws -> Parsed {
        var left = try parseNot()
        while acceptName("and") {
            let right = try parseNot()
            left = try node(.and(left.expression, right.expression), left, right)
        }
        return left
    }

    private mutating func parseNot() throws -> Parsed {
        if acceptName("not") {
            let operand = try nested { try $0.parseNot() }
            return try node(.not(operand.expression), operand)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Parsed {
        var left = try parseMath1()
        while true {
            if case .symbol(let symbol) = current, ["==", "!=", "<", "<=", ">", ">="].contains(symbol) {
                advance()
                let right = try parseMath1()
                left = try node(.binary(symbol, left.expression, right.expression), left, right)
            } else if acceptName("in") {
                let right = try parseMath1()
                left = try node(.binary("in", left.expression, right.expression), left, right)
            } else if isName("not") && next == .name("in") {
                advance()
                advance()
                let right = try parseMath1()
                let test = try node(.binary("in", left.expression, right.expression), left, right)
                left = try node(.not(test.expression), test)
            } else {
                return left
            }
        }
    }

    private mutating func parseMath1() throws -> Parsed {
        var left = try parseConcat()
        while case .symbol(let symbol) = current, symbol == "+" || symbol == "-" {
            advance()
            let right = try parseConcat()
            left = try node(.binary(symbol, left.expression, right.expression), left, right)
        }
        return left
    }

    private mutating func parseConcat() throws -> Parsed {
        var left = try parseMath2()
        while accept("~") {
            let right = try parseMath2()
            left = try node(.binary("~", left.expression, right.expression), left, right)
        }
        return left
    }

    private mutating func parseMath2() throws -> Parsed {
        var left = try parsePow()
        while case .symbol(let symbol) = current, ["*", "/", "//", "%"].contains(symbol) {
            advance()
            let right = try parsePow()
            left = try node(.binary(symbol, left.expression, right.expression), left, right)
        }
        return left
    }

    private mutating func parsePow() throws -> Parsed {
        var left = try parseUnary(withFilter: true)
        while accept("**") {
            let right = try parseUnary(withFilter: true)
            left = try node(.binary("**", left.expression, right.expression), left, right)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool) throws -> Parsed {
        var result: Parsed
        if case .symbol(let sign) = current, sign == "-" || sign == "+" {
            advance()
            let operand = try nested { try $0.parseUnary(withFilter: false) }
            result = try node(.unary(sign, operand.expression), operand)
        } else {
            result = try parsePostfix(try parsePrimary())
        }
        if withFilter { result = try parseFilters(result) }
        return result
    }

    private mutating func parsePrimary() throws -> Parsed {
        switch current {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return Parsed(expression: .literal(.bool(true)), depth: 1)
            case "false", "False": return Parsed(expression: .literal(.bool(false)), depth: 1)
            case "none", "None": return Parsed(expression: .literal(.null), depth: 1)
            default:
                if isSymbol("(") {
                    let arguments = try parseArguments()
                    return try node(.call(name, arguments.map(\.argument)), all: arguments.map(\.parsed))
                }
                return Parsed(expression: .variable(name), depth: 1)
            }
        case .string(var value):
            advance()
            while case .string(let more) = current {
                value += more
                advance()
            }
            return Parsed(expression: .literal(.string(value)), depth: 1)
        case .integer(let number):
            advance()
            return Parsed(expression: .literal(.int(number)), depth: 1)
        case .float(let number):
            advance()
            return Parsed(expression: .literal(.double(number)), depth: 1)
        case .symbol("("):
            advance()
            if accept(")") { return Parsed(expression: .list([]), depth: 1) }
            let first = try parseExpression()
            if accept(",") {
                var items = [first]
                while !isSymbol(")") {
                    items.append(try parseExpression())
                    if !accept(",") { break }
                }
                try expect(")")
                return try node(.list(items.map(\.expression)), all: items)
            }
            try expect(")")
            return first
        case .symbol("["):
            advance()
            var items: [Parsed] = []
            while !isSymbol("]") {
                items.append(try parseExpression())
                if !accept(",") { break }
            }
            try expect("]")
            return try node(.list(items.map(\.expression)), all: items)
        case .symbol("{"):
            advance()
            var pairs: [(Parsed, Parsed)] = []
            while !isSymbol("}") {
                let key = try parseExpression()
                try expect(":")
                pairs.append((key, try parseExpression()))
                if !accept(",") { break }
            }
            try expect("}")
            return try node(.dict(pairs.map { ($0.0.expression, $0.1.expression) }), all: pairs.flatMap { [$0.0, $0.1] })
        default:
            throw TemplateError("unexpected \(describe(current)) in expression '\(text)'")
        }
    }

    private mutating func parsePostfix(_ base: Parsed) throws -> Parsed {
        var result = base
        while true {
            if accept(".") {
                guard case .name(let name) = current else {
                    if case .integer(let number) = current {
                        advance()
                        result = try node(.index(result.expression, .literal(.int(number))), result)
                        continue
                    }
                    throw TemplateError("expected an attribute name after '.' in expression '\(text)'")
                }
                advance()
                if isSymbol("(") {
                    let arguments = try parseArguments()
                    result = try node(.method(result.expression, name, arguments.map(\.argument)), all: [result] + arguments.map(\.parsed))
                } else {
                    result = try node(.attribute(result.expression, name), result)
                }
            } else if accept("[") {
                if accept(":") {
                    let end = isSymbol("]") ? nil : try parseExpression()
                    try expect("]")
                    result = try node(.slice(result.expression, nil, end?.expression), result, end)
                    continue
                }
                let index = try parseExpression()
                if accept(":") {
                    let end = isSymbol("]") ? nil : try parseExpression()
                    try expect("]")
                    result = try node(.slice(result.expression, index.expression, end?.expression), result, index, end)
                    continue
                }
                try expect("]")
                result = try node(.index(result.expression, index.expression), result, index)
            } else {
                return result
            }
        }
    }

    private mutating func parseFilters(_ base: Parsed) throws -> Parsed {
        var result = base
        while true {
            if accept("|") {
                let name = try dottedName()
                let arguments = isSymbol("(") ? try parseArguments() : []
                result = try node(.filter(result.expression, name, arguments.map(\.argument)), all: [result] + arguments.map(\.parsed))
            } else if acceptName("is") {
                let negated = acceptName("not")
                let name = try dottedName()
                var arguments: [ParsedArgument] = []
                if isSymbol("(") {
                    arguments = try parseArguments()
                } else if startsBareTestArgument {
                    let value = try parsePrimaryWithPostfix()
                    arguments = [ParsedArgument(argument: Argument(name: nil, value: value.expression), parsed: value)]
                }
                result = try node(
                    .test(result.expression, name, arguments.map(\.argument), negated: negated), all: [result] + arguments.map(\.parsed))
            } else {
                return result
            }
        }
    }

    /// `x is divisibleby 3`, `x is in list`: a test's single argument may follow without parentheses.
    private var startsBareTestArgument: Bool {
        switch current {
        case .name(let name): return !["else", "or", "and", "if", "is", "not", "in"].contains(name)
        case .string, .integer, .float, .symbol("["), .symbol("{"): return true
        default: return false
        }
    }

    private mutating func parsePrimaryWithPostfix() throws -> Parsed {
        try parsePostfix(try parsePrimary())
    }

    /// A filter or test name, possibly fully qualified (`ansible.builtin.to_json`).
    private mutating func dottedName() throws -> String {
        guard case .name(var name) = current else {
            throw TemplateError("expected a filter or test name, found \(describe(current)) in expression '\(text)'")
        }
        advance()
        while isSymbol("."), case .name(let part) = next {
            advance()
            advance()
            name += "." + part
        }
        return name
    }

    /// A call argument with its nesting depth.
    private struct ParsedArgument {
        let argument: Argument
        let parsed: Parsed
    }

    private mutating func parseArguments() throws -> [ParsedArgument] {
        try expect("(")
        var arguments: [ParsedArgument] = []
        while !isSymbol(")") {
            var name: String?
            if case .name(let word) = current, next == .symbol("=") {
                advance()
                advance()
                name = word
            }
            let value = try parseExpression()
            arguments.append(ParsedArgument(argument: Argument(name: name, value: value.expression), parsed: value))
            if !accept(",") { break }
        }
        try expect(")")
        return arguments
    }
}
