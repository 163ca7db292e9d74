import Foundation
import OrderedCollections
import SkiffCore

/// `uri`: an HTTP request from the host with curl (or wget when curl is missing), for health checks:
/// `url`, `method`, `status_code` (one or a list, default 200), `return_content`, `headers`, `body`
/// (sent on stdin, never on a command line), `timeout`, `validate_certs`, `follow_redirects`.
public enum URIModule {
    static let marker = "__skiff_status__"

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
        var curl = ["curl", "-sS", "-X", method, "--max-time", String(timeout), "-w", "\n\(marker)%{http_code}"]
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
            guard let range = output.range(of: marker, options: .backwards) else {
                return .finish(ModuleOutcome(failed: true, message: "request to \(url) failed: \(result.stderrText.trimmingTrailingNewlines)", result: ["url": .string(url), "status": .int(-1)]))
            }
            let status = Int(output[range.upperBound...].trimmingCharacters(in: " \n\r")) ?? -1
            var content = String(output[..<range.lowerBound])
            if content.hasSuffix("\n") { content.removeLast() }
            var fields: OrderedDictionary<String, Value> = ["url": .string(url), "status": .int(status)]
            if arguments.bool("return_content") { fields["content"] = .string(content) }
            let ok = expected.contains(status)
            return .finish(ModuleOutcome(
                failed: !ok, message: ok ? nil : "Status code was \(status) and not \(expected.map(String.init).joined(separator: ", ")): \(url)",
                result: fields))
        })
    }
}
