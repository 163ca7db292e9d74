import CLibYAML
import SkiffCore

/// Composes one YAML document into a `Node` tree through libyaml's event parser: aliases become the
/// node their anchor names, a key written twice in one mapping is an error, and so is a second document.
/// Every error is a `YAMLError` at the place libyaml reports, with libyaml's own words for the problem.
final class Composer {
    private let text: String
    private let file: String
    private var parser = yaml_parser_t()
    private var anchors: [String: Node] = [:]

    /// The root of the single document in `text`, nil for an empty text.
    static func compose(_ text: String, file: String) throws -> Node? {
        if let root = try text.utf8.withContiguousStorageIfAvailable({ try compose(text, file: file, bytes: $0) }) {
            return root
        }
        return try Array(text.utf8).withUnsafeBufferPointer { try compose(text, file: file, bytes: $0) }
    }

    private static func compose(_ text: String, file: String, bytes: UnsafeBufferPointer<UInt8>) throws -> Node? {
        let composer = Composer(text: text, file: file)
        return try composer.document(from: bytes)
    }

    private init(text: String, file: String) {
        self.text = text
        self.file = file
        yaml_parser_initialize(&parser)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_parser_delete(&parser)
    }

    private func document(from bytes: UnsafeBufferPointer<UInt8>) throws -> Node? {
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
        _ = try next()  // the stream's start
        guard try next().type != YAML_STREAM_END_EVENT else { return nil }
        let root = try node(from: try next())
        _ = try next()  // the document's end
        let end = try next()
        guard end.type == YAML_STREAM_END_EVENT else {
            throw YAMLError("invalid YAML: but found another document", at: location(end.mark))
        }
        return root
    }

    private func next() throws -> Event {
        let event = Event()
        guard yaml_parser_parse(&parser, &event.raw) == 1 else { throw parserError() }
        return event
    }

    /// The node that starts with `event`, with all its contents.
    private func node(from event: Event) throws -> Node {
        let mark = event.mark
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.raw.data.alias.anchor) ?? ""
            guard let node = anchors[name] else {
                throw YAMLError("invalid YAML: found undefined alias", at: location(mark))
            }
            return node
        case YAML_SCALAR_EVENT:
            let data = event.raw.data.scalar
            let anchor = Self.string(data.anchor).map(Anchor.init(rawValue:))
            let tag = data.quoted_implicit == 1 ? Tag(.str) : Self.string(data.tag).map { Tag(Tag.Name(rawValue: $0)) } ?? .implicit
            let value = String(decoding: UnsafeBufferPointer(start: data.value, count: Int(data.length)), as: UTF8.self)
            let style = Node.Scalar.Style(rawValue: data.style.rawValue) ?? .any
            return register(.scalar(.init(value, tag, style, mark, anchor)), as: anchor)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.raw.data.sequence_start
            let anchor = Self.string(data.anchor).map(Anchor.init(rawValue:))
            let tag = data.implicit != 0 ? Tag.implicit : Self.string(data.tag).map { Tag(Tag.Name(rawValue: $0)) } ?? .implicit
            let style = Node.Sequence.Style(rawValue: data.style.rawValue) ?? .any
            var items: [Node] = []
            while true {
                let item = try next()
                if item.type == YAML_SEQUENCE_END_EVENT { break }
                items.append(try node(from: item))
            }
            return register(.sequence(.init(items, tag, style, mark, anchor)), as: anchor)
        case YAML_MAPPING_START_EVENT:
            let data = event.raw.data.mapping_start
            let anchor = Self.string(data.anchor).map(Anchor.init(rawValue:))
            let tag = data.implicit != 0 ? Tag.implicit : Self.string(data.tag).map { Tag(Tag.Name(rawValue: $0)) } ?? .implicit
            let style = Node.Mapping.Style(rawValue: data.style.rawValue) ?? .any
            var pairs: [(Node, Node)] = []
            while true {
                let keyEvent = try next()
                if keyEvent.type == YAML_MAPPING_END_EVENT { break }
                let key = try node(from: keyEvent)
                pairs.append((key, try node(from: try next())))
            }
            try checkDuplicates(pairs.map(\.0))
            return register(.mapping(.init(pairs, tag, style, mark, anchor)), as: anchor)
        default:
            throw YAMLError("invalid YAML: unexpected event", at: location(mark))
        }
    }

    private func register(_ node: Node, as anchor: Anchor?) -> Node {
        if let anchor { anchors[anchor.rawValue] = node }
        return node
    }

    /// Refuses a mapping with a key written twice, at the first place of the first such key in YAML's key order.
    private func checkDuplicates(_ keys: [Node]) throws {
        guard keys.count > 1 else { return }
        var firstOf: [Node: Int] = [:]
        var repeated: Set<Int> = []
        for (index, key) in keys.enumerated() {
            if let first = firstOf[key] { repeated.insert(first) } else { firstOf[key] = index }
        }
        guard !repeated.isEmpty else { return }
        let sorted = repeated.map { keys[$0] }.sorted(by: Node.isOrdered)
        let names = sorted.map { "'\($0.string ?? "<uncovertable>")'" }.sorted().joined(separator: ", ")
        let mark = sorted[0].mark
        throw YAMLError(
            "invalid YAML: \(names) written more than once in one mapping (first here)",
            at: SourceLocation(file: file, line: max(mark?.line ?? 0, 1), column: max(mark?.column ?? 0, 1)))
    }

    private func location(_ mark: Mark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    /// libyaml's error, in its words, at its place; a character YAML does not allow is located by Skiff.
    private func parserError() -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
        let mark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return YAMLError("invalid YAML: Memory error", at: SourceLocation(file: file, line: 1, column: 1))
        case YAML_READER_ERROR:
            var message = "invalid YAML: \(problem)"
            if parser.problem_value >= 0 {
                let hex = String(parser.problem_value, radix: 16, uppercase: true)
                message += " (U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))"
            }
            let offset = text.utf8.index(text.utf8.startIndex, offsetBy: Int(parser.problem_offset), limitedBy: text.utf8.endIndex)?
                .samePosition(in: text).map { text.distance(from: text.startIndex, to: $0) }
            let place = TextPosition.firstForbiddenCharacter(in: text, file: file)
                ?? offset.map { TextPosition.location(ofCharacter: $0, in: text, file: file) }
                ?? SourceLocation(file: file, line: 1, column: 1)
            return YAMLError(message, at: place)
        default:
            return YAMLError("invalid YAML: \(problem)", at: location(mark))
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// One libyaml event, freed with it.
private final class Event {
    var raw = yaml_event_t()

    var type: yaml_event_type_t { raw.type }
    var mark: Mark { Mark(line: Int(raw.start_mark.line) + 1, column: Int(raw.start_mark.column) + 1) }

    deinit {
        yaml_event_delete(&raw)
    }
}
