#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore

/// `uri`: an HTTP request from the host with curl (or wget when curl is missing), for health checks:
/// `url`, `method`, `status_code` (one or a list, default 200), `return_content`, `headers`, `body`
/// (sent on stdin, never on a command line), `timeout`, `validate_certs`, `follow_redirects`.
public enum URIModule {
    static let marker = "__skiff_status__"

    /// The fields ansible's uri returns: `url` (where redirects led), `status`, `msg` (`OK (25 bytes)` with
    /// the Content-Length, or `unknown`; `HTTP Error 404: Not Found` for a status outside 2xx), `elapsed`
    /// (whole seconds), `redirected`, each response header (lowercased, `-` as `_`),
    /// `cookies`/`cookies_string`, `json` when the body is JSON, and `content` with `return_content`.
    /// `numbers` are curl's status, time, redirect count and final URL.
    static func resultFields(
        url: String, status: Int, response: HTTPResponseHead, numbers: [Substring], returnContent: Bool
    ) -> OrderedDictionary<String, Value> {
        let redirected = numbers.count > 2 && (Int(numbers[2]) ?? 0) > 0
        let finalURL = redirected && numbers.count > 3 ? String(numbers[3]) : url
        var fields: OrderedDictionary<String, Value> = ["url": .string(finalURL), "status": .int(status)]
        fields["msg"] = .string((200..<300).contains(status)
            ? "OK (\(response.headers["content_length"] ?? "unknown") bytes)"
            : "HTTP Error \(status):\(response.reason.isEmpty ? "" : " \(response.reason)")")
        fields["elapsed"] = .int(Int(numbers.count > 1 ? Double(numbers[1]) ?? 0 : 0))
        fields["redirected"] = .bool(redirected)
        for (name, value) in response.headers where fields[name] == nil { fields[name] = .string(value) }
        let cookies = response.cookies
        fields["cookies"] = .dict(OrderedDictionary(uniqueKeysWithValues: cookies.map { ($0.name, Value.string($0.value)) }))
        fields["cookies_string"] = .string(cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; "))
        if response.headers["content_type"]?.contains("json") == true, let json = try? JSONParser.parse(response.body) {
            fields["json"] = json
        }
        if returnContent { fields["content"] = .string(response.body) }
        return fields
    }

    public static func plan(_ arguments: ModuleArguments) throws -> ModulePlan {
        let url = try arguments.required("url")
        let method = (arguments.string("method") ?? "GET").uppercased()
        let timeout = arguments.int("timeout") ?? 30
        let expected: [Int] = {
            switch arguments.values["status_code"] {
            case .list(let items)?: return items.compactMap(\.intValue)
            case let value?: return [value.intValue].compactMap { $0 }
            case nil: return [200]
            }
        }()
        // Headers (every response's, when redirected) before the body on stdout; after it, the marker line.
        var curl = ["curl", "-sS", "-D", "-", "-X", method, "--max-time", String(timeout), "-w", "\n\(marker)%{http_code} %{time_total} %{num_redirects} %{url_effective}"]
        if !arguments.bool("validate_certs", default: true) { curl.append("-k") }
        if arguments.string("follow_redirects") != "none" { curl.append("-L") }
        let headers = try HTTPHeaders.lines(arguments)
        if headers != nil { curl += HTTPHeaders.curlArguments }
        var stdin: Sensitive<[UInt8]>?
        if let body = arguments.values["body"] {
            let text = arguments.string("body_format") == "json" ? body.json : body.text
            stdin = Sensitive(Array(text.utf8))
            curl += ["--data-binary", "@-"]
            if arguments.string("body_format") == "json" { curl += ["-H", "Content-Type: application/json"] }
        }
        curl.append(url)
        let wget = ["wget"] + (headers != nil ? HTTPHeaders.wgetArguments : []) + ["-q", "-S", "-O", "-", "--timeout=\(timeout)", url]
        var curlCommand = ShellQuote.join(curl)
        var wgetCommand = ShellQuote.join(wget) + " 2>&1"
        var environment: OrderedDictionary<String, String> = [:]
        if let headers {
            environment[HTTPHeaders.variable] = headers
            curlCommand = HTTPHeaders.feeding(curlCommand, wgetrc: false)
            wgetCommand = HTTPHeaders.feeding(wgetCommand, wgetrc: true)
        }
        let script = "if command -v curl >/dev/null 2>&1; then \(curlCommand); "
            + "else \(wgetCommand) | awk '/^  HTTP\\// { code = $2 } { print } END { print \"\\n\(marker)\" code }'; fi"
        return ModulePlan(.run(RemoteStep(.shell(script), environment: environment, stdin: stdin)) { result in
            let output = result.stdoutText
            guard let range = output.ranges(of: marker).last else {
                return .finish(ModuleOutcome(failed: true, message: "request to \(url) failed: \(result.stderrText.trimmingTrailingNewlines)", result: ["url": .string(url), "status": .int(-1)]))
            }
            let numbers = output[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" })
            let status = numbers.first.flatMap { Int($0) } ?? -1
            var content = String(output[..<range.lowerBound])
            if content.hasSuffix("\n") { content.removeLast() }
            let response = HTTPResponseHead.split(content)
            let fields = resultFields(url: url, status: status, response: response, numbers: numbers, returnContent: arguments.bool("return_content"))
            let ok = expected.contains(status)
            let reason = response.reason.isEmpty ? "" : " \(response.reason)"
            return .finish(ModuleOutcome(
                failed: !ok,
                message: ok ? nil : "Status code was \(status) and not [\(expected.map(String.init).joined(separator: ", "))]: HTTP Error \(status):\(reason)",
                result: fields))
        })
    }
}

extension URIModule: Module {
    public static let names = ModuleNames.builtin("uri")
    public static let arguments = ArgumentSpec([
        .string("url", required: true), .string("method"), .raw("status_code"), .bool("return_content"), .raw("body"),
        .string("body_format"), .dict("headers"), .int("timeout"), .bool("validate_certs"), .raw("follow_redirects"),
        .string("user", aliases: ["url_username"]), .string("password", aliases: ["url_password"]), .bool("force_basic_auth"),
    ])

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan { try plan(arguments) }
}
