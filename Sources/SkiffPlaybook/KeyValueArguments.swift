import OrderedCollections
import SkiffCore

/// Ansible's `k=v` argument strings (`copy: src=a dest=b mode=0644`): words split as a shell would,
/// quotes respected and `{{ }}` kept whole; words without `=` are the free-form text (`_raw_params`).
enum KeyValueArguments {
    static func parse(_ text: String) -> (arguments: OrderedDictionary<String, Value>, freeForm: String?) {
        var arguments = OrderedDictionary<String, Value>()
        var free: [String] = []
        for word in words(text) {
            if let equals = word.firstIndex(of: "="), equals != word.startIndex,
                word[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            {
                arguments[String(word[..<equals])] = .string(unquote(String(word[word.index(after: equals)...])))
            } else {
                free.append(word)
            }
        }
        return (arguments, free.isEmpty ? nil : free.joined(separator: " "))
    }

    /// Splits on spaces outside quotes and outside `{{ }}` / `{% %}`; quotes stay in the words.
    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quote: Character?
        var depth = 0
        let chars = Array(text)
        var index = 0
        while index < chars.count {
            let c = chars[index]
            let next = index + 1 < chars.count ? chars[index + 1] : nil
            if quote == nil && depth == 0 && (c == " " || c == "\t" || c == "\n") {
                if !current.isEmpty { result.append(current) }
                current = ""
            } else {
                if c == "{" && (next == "{" || next == "%") { depth += 1 }
                if (c == "}" || c == "%") && next == "}" && depth > 0 { depth -= 1 }
                if depth == 0 {
                    if let open = quote, c == open { quote = nil } else if quote == nil && (c == "'" || c == "\"") { quote = c }
                }
                current.append(c)
            }
            index += 1
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private static func unquote(_ text: String) -> String {
        if text.count >= 2, let first = text.first, (first == "'" || first == "\"") && text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return text
    }
}
