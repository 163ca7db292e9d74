import SkiffCore

/// Splits template text into nodes, tracking line and column for errors. Blocks nested more than
/// `TemplateLimits.blockDepth` deep are an error at the block that goes too deep.
struct TemplateReader {
    private let chars: [Character]
    private var index = 0
    private let base: SourceLocation?
    /// The line and column at `scanned.position`: locations are asked for in increasing order, so each
    /// is counted on from the previous one, and reading stays linear in the text's length.
    private var scanned: (position: Int, line: Int, column: Int)
    /// How many `{% if %}`/`{% for %}` blocks are open.
    private var openBlocks = 0
    /// Set after a tag ending in `-%}`/`-}}`, or after a block or comment tag (trim_blocks): the next
    /// text loses its leading whitespace (all of it) or its first newline (only that).
    private var stripNext: Strip = .none

    enum Strip { case none, newline, whitespace }

    init(text: String, location: SourceLocation?) {
        chars = Array(text)
        base = location
        scanned = (0, location?.line ?? 1, location?.column ?? 1)
    }

    private mutating func location(at position: Int) -> SourceLocation? {
        guard let base else { return nil }
        let target = min(position, chars.count)
        if target < scanned.position { scanned = (0, base.line, base.column) }
        for character in chars[scanned.position..<target] {
            if character == "\n" {
                scanned.line += 1
                scanned.column = 1
            } else {
                scanned.column += 1
            }
        }
        scanned.position = target
        return SourceLocation(file: base.file, line: scanned.line, column: scanned.column)
    }

    /// Reads nodes until one of the block keywords in `terminators` (returned for the caller to handle).
    mutating func parseNodes(until terminators: Set<String>) throws -> [Template.Node] {
        var nodes: [Template.Node] = []
        while index < chars.count {
            guard let (open, tagStart) = nextTag() else {
                appendText(String(chars[index...]), to: &nodes)
                index = chars.count
                break
            }
            var text = String(chars[index..<tagStart])
            let trimLeft = tagStart + 2 < chars.count && chars[tagStart + 2] == "-"
            if trimLeft { text = String(text.reversed().drop(while: { $0.isWhitespace }).reversed()) }
            appendText(text, to: &nodes)
            let contentStart = tagStart + 2 + (trimLeft ? 1 : 0)
            let close = open == "{{" ? "}}" : open == "{%" ? "%}" : "#}"
            guard let closeAt = find(close, from: contentStart) else {
                throw TemplateError("'\(open)' is never closed with '\(close)'", at: location(at: tagStart))
            }
            let trimRight = closeAt > contentStart && chars[closeAt - 1] == "-"
            let content = String(chars[contentStart..<(trimRight ? closeAt - 1 : closeAt)])
            index = closeAt + 2
            let tagLocation = location(at: tagStart)
            switch open {
            case "{#":
                stripNext = trimRight ? .whitespace : .newline
            case "{{":
                nodes.append(.output(try ParsedExpression(content, location: tagLocation)))
                stripNext = trimRight ? .whitespace : .none
            default:
                stripNext = trimRight ? .whitespace : .newline
                let words = content.trimmingCharacters(in: " \t\n").split(separator: " ", maxSplits: 1).map(String.init)
                let keyword = words.first ?? ""
                let rest = words.count > 1 ? words[1] : ""
                if terminators.contains(keyword) {
                    lastTerminator = (keyword, rest, tagLocation)
                    return nodes
                }
                if keyword == "raw" {
                    try readRaw(into: &nodes, at: tagLocation)
                    continue
                }
                nodes.append(try parseBlock(keyword, rest, at: tagLocation))
            }
        }
        if !terminators.isEmpty {
            throw TemplateError("missing {% \(terminators.sorted().joined(separator: " / ")) %}", at: location(at: chars.count))
        }
        return nodes
    }

    private var lastTerminator: (keyword: String, rest: String, location: SourceLocation?) = ("", "", nil)

    /// `{% raw %}…{% endraw %}`: the text between is kept as it is, `{{ }}` and `{% %}` included (the usual
    /// way to pass `docker ps --format '{{.Names}}'` through a template).
    private mutating func readRaw(into nodes: inout [Template.Node], at tagLocation: SourceLocation?) throws {
        // As Jinja: trim_blocks does not take the newline after `{% raw %}`, but `-%}` takes the whitespace.
        if stripNext == .newline { stripNext = .none }
        var search = index
        while let (open, tagStart) = nextTag(from: search) {
            search = tagStart + 2
            guard open == "{%", let closeAt = find("%}", from: tagStart + 2) else { continue }
            var content = Substring(String(chars[(tagStart + 2)..<closeAt]))
            let trimLeft = content.hasPrefix("-")
            let trimRight = content.hasSuffix("-")
            if trimLeft { content = content.dropFirst() }
            if trimRight { content = content.dropLast() }
            guard content.trimmingCharacters(in: " \t\n") == "endraw" else { continue }
            var text = String(chars[index..<tagStart])
            if trimLeft { text = String(text.reversed().drop(while: { $0.isWhitespace }).reversed()) }
            appendText(text, to: &nodes)
            index = closeAt + 2
            stripNext = trimRight ? .whitespace : .newline
            return
        }
        throw TemplateError("missing {% endraw %}", at: tagLocation)
    }

    private mutating func parseBlock(_ keyword: String, _ rest: String, at tagLocation: SourceLocation?) throws -> Template.Node {
        if keyword == "if" || keyword == "for" {
            guard openBlocks < TemplateLimits.blockDepth else {
                throw TemplateError("blocks nested more than \(TemplateLimits.blockDepth) deep", at: tagLocation)
            }
            openBlocks += 1
        }
        defer { if keyword == "if" || keyword == "for" { openBlocks -= 1 } }
        switch keyword {
        case "if":
            var branches: [(ParsedExpression, [Template.Node])] = []
            var condition = try ParsedExpression(rest, location: tagLocation)
            var otherwise: [Template.Node] = []
            while true {
                let body = try parseNodes(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                let (word, text, location) = lastTerminator
                if word == "elif" {
                    condition = try ParsedExpression(text, location: location)
                    continue
                }
                if word == "else" { otherwise = try parseNodes(until: ["endif"]) }
                return .conditional(branches, otherwise: otherwise)
            }
        case "for":
            guard let inRange = rest.firstRange(of: " in ") else {
                throw TemplateError("expected '{% for NAME in EXPRESSION %}'", at: tagLocation)
            }
            let names = rest[..<inRange.lowerBound].split(separator: ",").map { String($0).trimmingCharacters(in: " ") }
            let iterable = try ParsedExpression(String(rest[inRange.upperBound...]), location: tagLocation)
            let body = try parseNodes(until: ["else", "endfor"])
            var otherwise: [Template.Node] = []
            if lastTerminator.keyword == "else" { otherwise = try parseNodes(until: ["endfor"]) }
            return .loop(variables: names, iterable, body: body, otherwise: otherwise)
        case "set":
            guard let equals = rest.firstIndex(of: "=") else {
                throw TemplateError("expected '{% set NAME = EXPRESSION %}'", at: tagLocation)
            }
            let name = String(rest[..<equals]).trimmingCharacters(in: " ")
            return .assign(name, try ParsedExpression(String(rest[rest.index(after: equals)...]), location: tagLocation))
        default:
            throw TemplateError("unknown or misplaced tag '{% \(keyword) %}'", at: tagLocation)
        }
    }

    private mutating func appendText(_ raw: String, to nodes: inout [Template.Node]) {
        var text = Substring(raw)
        switch stripNext {
        case .none: break
        case .newline: if text.hasPrefix("\n") { text = text.dropFirst() }
        case .whitespace: text = text.drop(while: { $0.isWhitespace })
        }
        stripNext = .none
        if !text.isEmpty { nodes.append(.text(String(text))) }
    }

    /// The next `{{`, `{%` or `{#` at or after the current position (or `start`).
    private func nextTag(from start: Int? = nil) -> (String, Int)? {
        var position = start ?? index
        while position + 1 < chars.count {
            if chars[position] == "{" {
                let next = chars[position + 1]
                if next == "{" || next == "%" || next == "#" { return ("{" + String(next), position) }
            }
            position += 1
        }
        return nil
    }

    private func find(_ marker: String, from start: Int) -> Int? {
        let pattern = Array(marker)
        var position = start
        var quote: Character?
        while position + 1 < chars.count {
            let c = chars[position]
            if let open = quote {
                if c == open { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == pattern[0] && chars[position + 1] == pattern[1] {
                return position
            }
            position += 1
        }
        return nil
    }
}
