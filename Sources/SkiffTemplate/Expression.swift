import SkiffCore

/// A parsed Jinja2 expression.
indirect enum Expression: Equatable {
    case literal(Value)
    case variable(String)
    case list([Expression])
    case dict([(Expression, Expression)])
    /// `base.name` or `base['name']` / `base[0]`.
    case attribute(Expression, String)
    case index(Expression, Expression)
    case slice(Expression, Expression?, Expression?)
    case unary(String, Expression)
    case binary(String, Expression, Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
    /// `value | name(arguments)`.
    case filter(Expression, String, [Argument])
    /// `value is [not] name(arguments)`.
    case test(Expression, String, [Argument], negated: Bool)
    case conditional(Expression, condition: Expression, otherwise: Expression?)
    /// A function call: `lookup(...)`, `query(...)`, `range(...)`.
    case call(String, [Argument])
    /// A Python string/dict method Ansible playbooks use: `item.split(':')`, `name.startswith('web')`.
    case method(Expression, String, [Argument])

    static func == (lhs: Expression, rhs: Expression) -> Bool {
        String(describing: lhs) == String(describing: rhs)
    }
}

/// A call argument, positional or `name=value`.
struct Argument: Equatable {
    let name: String?
    let value: Expression
}
