#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffYAML

/// `-e` values as ansible-playbook takes them: `key=value …`, inline JSON or YAML (`'{"a": 1}'`,
/// `'a: 1'`), or `@file.yml` / `@file.json`. Later `-e` options win.
public enum ExtraVariables {
    public static func parse(_ options: [String]) throws -> OrderedDictionary<String, Value> {
        var result = OrderedDictionary<String, Value>()
        for option in options {
            result.merge(try parseOne(option)) { $1 }
        }
        for (name, value) in result where PortVariable.names.contains(name) {
            if let problem = PortVariable.problem(with: value) {
                throw PlaybookError(diagnostics: [Diagnostic("-e \(name): \(problem)", at: nil)])
            }
        }
        return result
    }

    static func parseOne(_ option: String) throws -> OrderedDictionary<String, Value> {
        let text = option.trimmingCharacters(in: " \n\t")
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PlaybookError(diagnostics: [Diagnostic("cannot read extra vars file \(path)", at: nil)])
            }
            return try mapping(String(decoding: data, as: UTF8.self), file: path)
        }
        if text.hasPrefix("{") || (text.contains(": ") && !text.contains("=")) {
            return try mapping(text, file: "-e")
        }
        let (pairs, free) = KeyValueArguments.parse(text)
        if let free {
            throw PlaybookError(diagnostics: [Diagnostic("-e '\(option)': expected key=value, JSON, YAML or @file, got '\(free)'", at: nil)])
        }
        return pairs
    }

    private static func mapping(_ text: String, file: String) throws -> OrderedDictionary<String, Value> {
        do {
            guard let node = try YAMLValue.compose(text, file: file) else { return [:] }
            guard case .dict(let dict) = try YAMLValue.value(of: node, file: file) else {
                throw PlaybookError(diagnostics: [Diagnostic("extra vars from \(file) must be a mapping", at: YAMLValue.location(of: node, file: file))])
            }
            return dict
        } catch let error as YAMLError {
            throw PlaybookError(diagnostics: [Diagnostic(error.message, at: error.location)])
        }
    }
}
