/// What curl's `-D -` puts before the body on stdout: one header block per response (several when
/// redirects were followed); the last block is the final response's.
struct HTTPResponseHead: Sendable {
    /// The final response's reason phrase (`OK`, `Not Found`); empty for HTTP/2, which has none.
    var reason = ""
    /// Header names lowercased with `-` as `_`, as ansible's uri returns them; a repeated header's values
    /// joined with `, `.
    var headers: [String: String] = [:]
    var cookies: [(name: String, value: String)] = []
    var body = ""

    /// Splits the header blocks off the text; text that starts with no status line is all body.
    static func split(_ text: String) -> HTTPResponseHead {
        var head = HTTPResponseHead()
        var rest = Substring(text)
        while rest.hasPrefix("HTTP/") {
            guard let end = rest.firstRange(of: "\r\n\r\n") ?? rest.firstRange(of: "\n\n") else { break }
            let lines = rest[..<end.lowerBound].split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" })
            head.headers = [:]
            head.cookies = []
            let statusWords = lines.first?.split(separator: " ", maxSplits: 2) ?? []
            head.reason = statusWords.count > 2 ? String(statusWords[2]) : ""
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased().replacingAll("-", with: "_")
                let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
                head.headers[name] = head.headers[name].map { "\($0), \(value)" } ?? value
                if name == "set_cookie", let equals = value.firstIndex(of: "=") {
                    let cookie = value[..<(value.firstIndex(of: ";") ?? value.endIndex)]
                    head.cookies.append((String(value[..<equals]), String(cookie[cookie.index(after: equals)...])))
                }
            }
            rest = rest[end.upperBound...]
        }
        head.body = String(rest)
        return head
    }
}
