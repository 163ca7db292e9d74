/// A composed YAML node: a scalar, a mapping or a sequence, with its tag, style, anchor and the place
/// it starts at. An alias is composed as the node its anchor names (the same `Anchor` object), so
/// `.alias` never comes out of `YAMLValue.compose`.
public enum Node: Hashable, Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)
    case alias(Alias)
}

/// Where a node starts: line and column from 1, columns counted in Unicode scalars.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// The name an `&anchor` gives a node. Each anchor written in a text is one object, so a node reached
/// through an alias is told apart from another node anchored with the same name.
public final class Anchor: Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}

/// A node's tag as written (`!vault`, `!!str`), or `.implicit` when none is; quoted scalars carry `!!str`.
public struct Tag: Hashable, Sendable, CustomStringConvertible {
    public struct Name: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }

        public static let implicit: Name = ""
        public static let nonSpecific: Name = "!"
        public static let str: Name = "tag:yaml.org,2002:str"
        public static let map: Name = "tag:yaml.org,2002:map"
        public static let seq: Name = "tag:yaml.org,2002:seq"
        public static let bool: Name = "tag:yaml.org,2002:bool"
        public static let int: Name = "tag:yaml.org,2002:int"
        public static let float: Name = "tag:yaml.org,2002:float"
        public static let null: Name = "tag:yaml.org,2002:null"
        public static let merge: Name = "tag:yaml.org,2002:merge"
        public static let timestamp: Name = "tag:yaml.org,2002:timestamp"
        public static let value: Name = "tag:yaml.org,2002:value"
    }

    public var name: Name

    public init(_ name: Name) {
        self.name = name
    }

    public static let implicit = Tag(.implicit)

    public var rawValue: String { name.rawValue }
    public var description: String { name.rawValue }
}

extension Node {
    public struct Scalar: Hashable, Sendable {
        public enum Style: UInt32, Sendable {
            case any = 0, plain, singleQuoted, doubleQuoted, literal, folded
        }

        public var string: String
        public var tag: Tag
        public var style: Style
        public var mark: Mark?
        public var anchor: Anchor?

        public init(_ string: String, _ tag: Tag = .implicit, _ style: Style = .any, _ mark: Mark? = nil, _ anchor: Anchor? = nil) {
            self.string = string
            self.tag = tag
            self.style = style
            self.mark = mark
            self.anchor = anchor
        }

        /// The tag YAML gives the scalar: the written one, else the one its plain text resolves to.
        var resolvedTag: Tag.Name {
            switch tag.name {
            case .implicit: return ScalarResolver.tag(of: string)
            case .nonSpecific: return .str
            default: return tag.name
            }
        }

        /// Equal text and equal resolved tag (`1` and `"1"` differ), as YAML compares mapping keys.
        public static func == (lhs: Scalar, rhs: Scalar) -> Bool {
            lhs.string == rhs.string && lhs.resolvedTag == rhs.resolvedTag
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(string)
        }
    }

    public struct Mapping: RandomAccessCollection, Hashable, Sendable {
        public typealias Element = (key: Node, value: Node)
        public enum Style: UInt32, Sendable {
            case any = 0, block, flow
        }

        private var pairs: [Pair]
        public var tag: Tag
        public var style: Style
        public var mark: Mark?
        public var anchor: Anchor?

        public init(_ pairs: [(Node, Node)], _ tag: Tag = .implicit, _ style: Style = .any, _ mark: Mark? = nil, _ anchor: Anchor? = nil) {
            self.pairs = pairs.map { Pair(key: $0.0, value: $0.1) }
            self.tag = tag
            self.style = style
            self.mark = mark
            self.anchor = anchor
        }

        public var startIndex: Int { pairs.startIndex }
        public var endIndex: Int { pairs.endIndex }
        public subscript(index: Int) -> Element { (key: pairs[index].key, value: pairs[index].value) }

        public var keys: LazyMapSequence<Mapping, Node> { lazy.map(\.key) }
        public var values: LazyMapSequence<Mapping, Node> { lazy.map(\.value) }

        /// The value of the last key equal to the plain scalar `key`.
        public subscript(key: String) -> Node? {
            let wanted = Node.scalar(Scalar(key))
            return pairs.last(where: { $0.key == wanted })?.value
        }

        var resolvedTag: Tag.Name { tag.name == .implicit || tag.name == .nonSpecific ? .map : tag.name }

        public static func == (lhs: Mapping, rhs: Mapping) -> Bool {
            lhs.pairs == rhs.pairs && lhs.resolvedTag == rhs.resolvedTag
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(pairs)
        }

        fileprivate struct Pair: Hashable, Sendable {
            let key: Node
            let value: Node
        }

        fileprivate static func isOrdered(_ lhs: Mapping, before rhs: Mapping) -> Bool {
            Node.isOrdered(lhs.pairs.map(\.key), before: rhs.pairs.map(\.key))
        }
    }

    public struct Sequence: RandomAccessCollection, Hashable, Sendable {
        public enum Style: UInt32, Sendable {
            case any = 0, block, flow
        }

        private var nodes: [Node]
        public var tag: Tag
        public var style: Style
        public var mark: Mark?
        public var anchor: Anchor?

        public init(_ nodes: [Node], _ tag: Tag = .implicit, _ style: Style = .any, _ mark: Mark? = nil, _ anchor: Anchor? = nil) {
            self.nodes = nodes
            self.tag = tag
            self.style = style
            self.mark = mark
            self.anchor = anchor
        }

        public var startIndex: Int { nodes.startIndex }
        public var endIndex: Int { nodes.endIndex }
        public subscript(index: Int) -> Node { nodes[index] }

        var resolvedTag: Tag.Name { tag.name == .implicit || tag.name == .nonSpecific ? .seq : tag.name }

        public static func == (lhs: Sequence, rhs: Sequence) -> Bool {
            lhs.nodes == rhs.nodes && lhs.resolvedTag == rhs.resolvedTag
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(nodes)
        }

        fileprivate var items: [Node] { nodes }
    }

    /// An alias to an anchored node; composing replaces each alias by the node it names.
    public struct Alias: Hashable, Sendable {
        public var anchor: Anchor?
        public var mark: Mark?

        public static func == (lhs: Alias, rhs: Alias) -> Bool { lhs.anchor?.rawValue == rhs.anchor?.rawValue }
        public func hash(into hasher: inout Hasher) { hasher.combine(anchor?.rawValue) }
    }
}

extension Node {
    public var mark: Mark? {
        switch self {
        case .scalar(let scalar): return scalar.mark
        case .mapping(let mapping): return mapping.mark
        case .sequence(let sequence): return sequence.mark
        case .alias(let alias): return alias.mark
        }
    }

    public var anchor: Anchor? {
        switch self {
        case .scalar(let scalar): return scalar.anchor
        case .mapping(let mapping): return mapping.anchor
        case .sequence(let sequence): return sequence.anchor
        case .alias(let alias): return alias.anchor
        }
    }

    public var scalar: Scalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    public var mapping: Mapping? {
        if case .mapping(let mapping) = self { return mapping }
        return nil
    }

    public var sequence: Sequence? {
        if case .sequence(let sequence) = self { return sequence }
        return nil
    }

    /// A scalar's text; for a mapping with a `=` key (YAML's value key), that key's value's text.
    public var string: String? {
        if case .mapping(let mapping) = self {
            for (key, value) in mapping where key.scalar?.resolvedTag == .value { return value.string }
        }
        return scalar?.string
    }

    /// The order YAML's tools sort keys in: scalars by text, collections item by item; other pairs unordered.
    static func isOrdered(_ lhs: Node, before rhs: Node) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let lhs), .scalar(let rhs)): return lhs.string < rhs.string
        case (.mapping(let lhs), .mapping(let rhs)): return Mapping.isOrdered(lhs, before: rhs)
        case (.sequence(let lhs), .sequence(let rhs)): return isOrdered(lhs.items, before: rhs.items)
        default: return false
        }
    }

    static func isOrdered(_ lhs: [Node], before rhs: [Node]) -> Bool {
        for (left, right) in zip(lhs, rhs) {
            if isOrdered(left, before: right) { return true }
            if isOrdered(right, before: left) { return false }
        }
        return lhs.count < rhs.count
    }
}
