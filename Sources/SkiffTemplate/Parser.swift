import SkiffCore

/// Parses Jinja2 expressions with Jinja2's precedence: conditional, `or`, `and`, `not`, comparisons,
/// `+ -`, `~`, `* / // %`, `**`, unary, then primaries with attributes, subscripts, filters and tests.
struct Parser {
    private var tokens: [Token]
    private var position = 0
    private let text: String

    static func parse(_ text: String) throws -> Expression {
        var parser = Parser(tokens: try Lexer.tokens(text), text: text)
        let expression = try parser.parseExpression()
        guard parser.current == .end else {
            throw TemplateError("unexpected \(parser.describe(parser.current)) in expression '\(text)'")
        }
        return expression
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

    mutating func parseExpression() throws -> Expression {
        var expression = try parseOr()
        while acceptName("if") {
            let condition = try parseOr()
            let otherwise = acceptName("else") ? try parseExpression() : nil
            expression = .conditional(expression, condition: condition, otherwise: otherwise)
        }
        return expression
    }

    private mutating func parseOr() throws -> Expression {
        var left = try parseAnd()
        while acceptName("or") { left = .or(left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws -> Expression {
        var left = try parseNot()
        while acceptName("and") { left = .and(left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws -> Expression {
        if acceptName("not") { return .not(try parseNot()) }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expression {
        var left = try parseMath1()
        while true {
            if case .symbol(let symbol) = current, ["==", "!=", "<", "<=", ">", ">="].contains(symbol) {
                advance()
                left = .binary(symbol, left, try parseMath1())
            } else if acceptName("in") {
                left = .binary("in", left, try parseMath1())
            } else if isName("not") && next == .name("in") {
                advance()
                advance()
                left = .not(.binary("in", left, try parseMath1()))
            } else {
                return left
            }
        }
    }

    private mutating func parseMath1() throws -> Expression {
        var left = try parseConcat()
        while case .symbol(let symbol) = current, symbol == "+" || symbol == "-" {
            advance()
            left = .binary(symbol, left, try parseConcat())
        }
        return left
    }

    private mutating func parseConcat() throws -> Expression {
        var left = try parseMath2()
        while accept("~") { left = .binary("~", left, try parseMath2()) }
        return left
    }

    private mutating func parseMath2() throws -> Expression {
        var left = try parsePow()
        while case .symbol(let symbol) = current, ["*", "/", "//", "%"].contains(symbol) {
            advance()
            left = .binary(symbol, left, try parsePow())
        }
        return left
    }

    private mutating func parsePow() throws -> Expression {
        var left = try parseUnary(withFilter: true)
        while accept("**") { left = .binary("**", left, try parseUnary(withFilter: true)) }
        return left
    }

    private mutating func parseUnary(withFilter: Bool) throws -> Expression {
        var node: Expression
        if accept("-") {
            node = .unary("-", try parseUnary(withFilter: false))
        } else if accept("+") {
            node = .unary("+", try parseUnary(withFilter: false))
        } else {
            node = try parsePostfix(try parsePrimary())
        }
        if withFilter { node = try parseFilters(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expression {
        switch current {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.null)
            default:
                if isSymbol("(") { return .call(name, try parseArguments()) }
                return .variable(name)
            }
        case .string(var value):
            advance()
            while case .string(let more) = current {
                value += more
                advance()
            }
            return .literal(.string(value))
        case .integer(let number):
            advance()
            return .literal(.int(number))
        case .float(let number):
            advance()
            return .literal(.double(number))
        case .symbol("("):
            advance()
            if accept(")") { return .list([]) }
            let first = try parseExpression()
            if accept(",") {
                var items = [first]
                while !isSymbol(")") {
                    items.append(try parseExpression())
                    if !accept(",") { break }
                }
                try expect(")")
                return .list(items)
            }
            try expect(")")
            return first
        case .symbol("["):
            advance()
            var items: [Expression] = []
            while !isSymbol("]") {
                items.append(try parseExpression())
                if !accept(",") { break }
            }
            try expect("]")
            return .list(items)
        case .symbol("{"):
            advance()
            var pairs: [(Expression, Expression)] = []
            while !isSymbol("}") {
                let key = try parseExpression()
                try expect(":")
                pairs.append((key, try parseExpression()))
                if !accept(",") { break }
            }
            try expect("}")
            return .dict(pairs)
        default:
            throw TemplateError("unexpected \(describe(current)) in expression '\(text)'")
        }
    }

    private mutating func parsePostfix(_ base: Expression) throws -> Expression {
        var node = base
        while true {
            if accept(".") {
                guard case .name(let name) = current else {
                    if case .integer(let number) = current {
                        advance()
                        node = .index(node, .literal(.int(number)))
                        continue
                    }
                    throw TemplateError("expected an attribute name after '.' in expression '\(text)'")
                }
                advance()
                node = isSymbol("(") ? .method(node, name, try parseArguments()) : .attribute(node, name)
            } else if accept("[") {
                if accept(":") {
                    let end = isSymbol("]") ? nil : try parseExpression()
                    try expect("]")
                    node = .slice(node, nil, end)
                    continue
                }
                let index = try parseExpression()
                if accept(":") {
                    let end = isSymbol("]") ? nil : try parseExpression()
                    try expect("]")
                    node = .slice(node, index, end)
                    continue
                }
                try expect("]")
                node = .index(node, index)
            } else {
                return node
            }
        }
    }

    private mutating func parseFilters(_ base: Expression) throws -> Expression {
        var node = base
        while true {
            if accept("|") {
                let name = try dottedName()
                let arguments = isSymbol("(") ? try parseArguments() : []
                node = .filter(node, name, arguments)
            } else if acceptName("is") {
                let negated = acceptName("not")
                let name = try dottedName()
                var arguments: [Argument] = []
                if isSymbol("(") {
                    arguments = try parseArguments()
                } else if startsBareTestArgument {
                    arguments = [Argument(name: nil, value: try parsePrimaryWithPostfix())]
                }
                node = .test(node, name, arguments, negated: negated)
            } else {
                return node
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

    private mutating func parsePrimaryWithPostfix() throws -> Expression {
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

    private mutating func parseArguments() throws -> [Argument] {
        try expect("(")
        var arguments: [Argument] = []
        while !isSymbol(")") {
            if case .name(let name) = current, next == .symbol("=") {
                advance()
                advance()
                arguments.append(Argument(name: name, value: try parseExpression()))
            } else {
                arguments.append(Argument(name: nil, value: try parseExpression()))
            }
            if !accept(",") { break }
        }
        try expect(")")
        return arguments
    }
}
