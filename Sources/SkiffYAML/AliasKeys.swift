import SkiffCore

/// Refuses, before the text is parsed, a document that defines anchors and uses an alias in a mapping
/// key (`*a: 1`, `[*a, *a]: 1`) or an explicit key (`? …`). Keys are compared in full while a document is parsed, so an
/// alias bomb used as a key would take hours before `AliasExpansion` could count it; Ansible's keys are
/// names, which need no alias. Decided line by line on the text, so a string that merely looks like
/// such a key (`msg: see *note: below`) is refused too, but only in a document that defines anchors.
enum AliasKeys {
    private static func refusal(_ line: Substring, at place: Substring.Index, index: Int, file: String) -> YAMLError {
        let column = line.unicodeScalars.distance(from: line.startIndex, to: place) + 1
        return YAMLError(
            "invalid YAML: an alias or explicit key ('? ') in a mapping key is not supported where anchors are used (keys are names)",
            at: SourceLocation(file: file, line: index + 1, column: column))
    }

    static func check(_ text: String, file: String) throws {
        guard text.utf8.contains(UInt8(ascii: "&")), text.utf8.contains(UInt8(ascii: "*")) else { return }
        let anchor = /(^|[\s\[{,?:-])&[A-Za-z0-9_-]/
        guard text.contains(anchor) else { return }
        let alias = /(^|[\s\[{,?:-])\*[A-Za-z0-9_-]+/
        let aliasKey = /(^|[\s\[{,?-])\*[A-Za-z0-9_-]+\s*:(\s|$)/
        let collectionKey = /[\]}]\s*:(\s|$)/
        let explicitKey = /(^|[\s\[{,])\?(\s|$)/
        guard text.contains(alias) else { return }
        // An explicit key (`? …`) may hold aliases on the lines below it; implicit keys fit on one line.
        // A quote opens a quoted scalar only where a node can begin (a quote inside a plain word is text).
        let quoted = /(^|[\s\[{,:])("([^"\\]|\\.)*"|'[^']*')/
        for (index, written) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // Quoted text on the line is blanked (same length, so columns hold): `msg: "a ? b"` is no key.
            let line = Substring(written.replacing(quoted) { $0.output.1 + String(repeating: "_", count: $0.output.2.count) })
            if let question = line.firstMatch(of: explicitKey), let mark = line[question.range].firstIndex(of: "?") {
                throw refusal(line, at: mark, index: index, file: file)
            }
            guard let use = line.firstMatch(of: alias), let star = line[use.range].firstIndex(of: "*") else { continue }
            if line.contains(aliasKey) || line.contains(collectionKey) { throw refusal(line, at: star, index: index, file: file) }
        }
    }
}
