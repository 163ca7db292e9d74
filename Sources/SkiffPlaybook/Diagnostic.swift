import SkiffCore

/// One problem found in a playbook: where, what, and what to do about it.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public let location: SourceLocation?
    public let message: String
    public let hint: String?

    public init(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + message + (hint.map { " (\($0))" } ?? "")
    }
}

/// Every problem found in a playbook and the files it pulls in, reported together.
public struct PlaybookError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The closest candidate to a misspelled name, for "did you mean" hints.
enum Suggestion {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= max(2, word.count / 3) }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
