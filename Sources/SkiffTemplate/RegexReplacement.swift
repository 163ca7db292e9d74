import Foundation

/// `regex_replace`: every match replaced by the replacement template (`$1` for a group), built piece by
/// piece so that a pattern matching everywhere cannot build more than `TemplateLimits.textBytes`.
enum RegexReplacement {
    static func replace(_ regex: NSRegularExpression, in text: String, with template: String) throws -> String {
        let source = text as NSString
        var result = ""
        var copied = 0
        var failure: TemplateError?
        regex.enumerateMatches(in: text, range: NSRange(location: 0, length: source.length)) { match, _, stop in
            guard let match else { return }
            result += source.substring(with: NSRange(location: copied, length: match.range.location - copied))
            result += regex.replacementString(for: match, in: text, offset: 0, template: template)
            copied = match.range.location + match.range.length
            if result.utf8.count > TemplateLimits.textBytes {
                failure = TemplateLimits.tooLarge("the replaced text", result.utf8.count, "bytes", limit: TemplateLimits.textBytes)
                stop.pointee = true
            }
        }
        if let failure { throw failure }
        result += source.substring(from: copied)
        return try TemplateLimits.checked(result, "the replaced text")
    }
}
