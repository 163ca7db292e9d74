/// A unified diff of two texts, line by line, with 3 lines of context — what `--diff` shows for a file a
/// task changed. Computed with the standard library's `difference(from:)`.
public enum UnifiedDiff {
    public static func render(before: String, after: String, path: String, context: Int = 3) -> String {
        if before.utf8.contains(0) || after.utf8.contains(0) { return "Binary files differ: \(path)\n" }
        let old = lines(before)
        let new = lines(after)
        let difference = new.difference(from: old)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        // Every line in order: (" ", "-" or "+", text, old index, new index).
        var ops: [(mark: Character, text: String, old: Int, new: Int)] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count && removed.contains(i) {
                ops.append(("-", old[i], i, j)); i += 1
            } else if j < new.count && inserted.contains(j) {
                ops.append(("+", new[j], i, j)); j += 1
            } else {
                ops.append((" ", old[i], i, j)); i += 1; j += 1
            }
        }
        var output = "--- before: \(path)\n+++ after: \(path)\n"
        var index = 0
        while index < ops.count {
            guard ops[index].mark != " " else { index += 1; continue }
            // A hunk: from `context` lines before this change to `context` lines after the last change
            // that is at most 2 × context lines from the previous one.
            let start = max(0, index - context)
            var end = index
            var last = index
            while end < ops.count && end - last <= 2 * context {
                if ops[end].mark != " " { last = end }
                end += 1
            }
            end = min(ops.count, last + context + 1)
            let hunk = ops[start..<end]
            let oldCount = hunk.filter { $0.mark != "+" }.count
            let newCount = hunk.filter { $0.mark != "-" }.count
            let oldStart = oldCount == 0 ? hunk.first!.old : hunk.first!.old + 1
            let newStart = newCount == 0 ? hunk.first!.new : hunk.first!.new + 1
            output += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for op in hunk { output += "\(op.mark)\(op.text)\n" }
            index = end
        }
        return output
    }

    private static func lines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if text.hasSuffix("\n") { parts.removeLast() }
        return parts
    }
}
