/// Small string operations every target uses, without Foundation.
extension StringProtocol {
    /// The text without the given characters at either end.
    public func trimmingCharacters(in set: String) -> String {
        var start = startIndex
        var end = endIndex
        while start < end && set.contains(self[start]) { start = index(after: start) }
        while end > start && set.contains(self[index(before: end)]) { end = index(before: end) }
        return String(self[start..<end])
    }

    /// Every occurrence of `target` replaced.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        String(self).split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
