import SkiffCore

/// How far a template may go before Skiff stops it with an error naming the template's location, so
/// that a hostile or mistaken template cannot exhaust the controller's stack or memory. Each limit is
/// far beyond what a deploy template needs (Jinja itself fails at about 80 nested brackets).
enum TemplateLimits {
    /// Levels of nesting inside one expression: each bracket, parenthesis, operator, `not`, sign,
    /// subscript, attribute, call and filter counts one, so `a + b + c` is three levels deep: 100.
    static let expressionDepth = 100
    /// `{% if %}` and `{% for %}` blocks nested inside each other: 100.
    static let blockDepth = 100
    /// The nesting of a template plus that of the variables' templates it uses, and theirs, added up
    /// (a variable `a: "{{ [b] }}"` used in `{{ [a] }}` is 2 + 2 deep): 300, which keeps evaluation
    /// well within the stack of the threads that run it.
    static let evaluationDepth = 300
    /// Bytes of one piece of text a template builds (`'x' * n`, `~`, `+`, `join`, `replace`, a value
    /// rendered as text) and of a template's whole rendered output: 16 MiB.
    static let textBytes = 16 << 20
    /// Items of one list a template builds (`[x] * n`, `+`, `range()`, the characters of a string):
    /// 1,048,576. A list repeated with `*` also counts its nested items and text towards `textBytes`.
    static let listItems = 1 << 20
    /// Iterations of all `{% for %}` loops of one rendering together (1,000 hosts × 250 items fit), so
    /// that nested loops cannot keep a run busy for hours: 250,000.
    static let loopIterations = 250_000

    static func tooLarge(_ what: String, _ size: Int, _ unit: String, limit: Int) -> TemplateError {
        TemplateError("\(what) would be too large: \(size) \(unit) (Skiff's limit is \(limit))")
    }

    /// `text` if it is within `textBytes`.
    static func checked(_ text: String, _ what: String) throws -> String {
        let size = text.utf8.count
        if size > textBytes { throw tooLarge(what, size, "bytes", limit: textBytes) }
        return text
    }

    /// Throws unless `count` items of `unitBytes` bytes each fit in `textBytes`.
    static func checkText(_ what: String, count: Int, unitBytes: Int, plus extra: Int = 0) throws {
        let (product, overflowed) = max(0, count).multipliedReportingOverflow(by: unitBytes)
        let (total, overflowedAgain) = product.addingReportingOverflow(extra)
        if overflowed || overflowedAgain || total > textBytes {
            throw tooLarge(what, overflowed || overflowedAgain ? Int.max : total, "bytes", limit: textBytes)
        }
    }

    /// Throws unless `count` items fit in `listItems`.
    static func checkItems(_ what: String, _ count: Int) throws {
        if count > listItems { throw tooLarge(what, count, "items", limit: listItems) }
    }
}

extension Value {
    /// About how many bytes the value takes as text: its strings' bytes plus a few for each number,
    /// item and key. Counting stops past `limit`, so it costs at most `limit` steps however much
    /// structure a list repeated with `*` shares.
    func textSize(upTo limit: Int) -> Int {
        var total = 0
        var pending: [Value] = [self]
        while let value = pending.popLast() {
            switch value {
            case .null, .bool: total += 5
            case .int, .double: total += 20
            case .string(let text): total += text.utf8.count + 2
            case .list(let items):
                total += 2 + items.count
                pending.append(contentsOf: items.prefix(max(0, limit - total)))
            case .dict(let dict):
                total += 2
                for (key, item) in dict.prefix(max(0, limit - total)) {
                    total += key.utf8.count + 4
                    pending.append(item)
                }
            }
            if total > limit { return total }
        }
        return total
    }

    /// The value itself, once its size as text is known to be within `textBytes`.
    func checkedSize() throws -> Value {
        let size = textSize(upTo: TemplateLimits.textBytes)
        if size > TemplateLimits.textBytes {
            throw TemplateLimits.tooLarge("the value as text", size, "bytes", limit: TemplateLimits.textBytes)
        }
        return self
    }

    /// The value rendered as text, as `rendered`, once its size is known to be within `textBytes`.
    func renderedChecked() throws -> String {
        if case .string(let text) = self { return text }
        return try checkedSize().rendered
    }
}
