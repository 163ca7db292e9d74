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

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The closest candidate to a misspelled name, for "did you mean" hints: only a name a typo away (one
/// edit in a name of up to 5 characters, two up to 12, three beyond; swapping two neighbours is one
/// edit), so `community.docker.docker_image` is not offered `community.docker.docker_login`.
enum Suggestion {
    static func closest(to word: String, in candidates: [String]) -> String? {
        let allowed = word.count <= 5 ? 1 : word.count <= 12 ? 2 : 3
        let scored = candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= allowed }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { best = min(best, table[i - 2][j - 2] + 1) }
                table[i][j] = best
            }
        }
        return table[a.count][b.count]
    }
}
