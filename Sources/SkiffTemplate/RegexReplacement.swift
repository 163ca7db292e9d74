#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `regex_replace`: every match replaced by the replacement template (`$1` for a group, `\` taking the
/// next character as it is), built piece by piece so that a pattern matching everywhere cannot build more
/// than `TemplateLimits.textBytes`.
enum RegexReplacement {
    static func replace(_ regex: Regex<AnyRegexOutput>, in text: String, with template: String) throws -> String {
        var result = ""
        var copied = text.startIndex
        for match in text.matches(of: regex) {
            result += text[copied..<match.range.lowerBound]
            result += expand(template, with: match.output)
            copied = match.range.upperBound
            if result.utf8.count > TemplateLimits.textBytes {
                throw TemplateLimits.tooLarge("the replaced text", result.utf8.count, "bytes", limit: TemplateLimits.textBytes)
            }
        }
        result += text[copied...]
        return try TemplateLimits.checked(result, "the replaced text")
    }

    /// The template with `$N` replaced by group N's text (as many digits as name a group; empty for a group
    /// that did not take part), `\x` by `x`, and any other `$` kept.
    private static func expand(_ template: String, with groups: AnyRegexOutput) -> String {
        var result = ""
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            index = template.index(after: index)
            if character == "\\", index < template.endIndex {
                result.append(template[index])
                index = template.index(after: index)
            } else if character == "$", index < template.endIndex, let first = template[index].wholeNumberValue, first < groups.count {
                var number = first
                index = template.index(after: index)
                while index < template.endIndex, let digit = template[index].wholeNumberValue, number * 10 + digit < groups.count {
                    number = number * 10 + digit
                    index = template.index(after: index)
                }
                if let text = groups[number].substring { result += text }
            } else {
                result.append(character)
            }
        }
        return result
    }
}
