#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore

/// `lookup('env', 'NAME')`, `lookup('file', path)`, `lookup('template', path)`, `lookup('vars', name)`,
/// their list forms `query`/`q`, and `range(...)`.
enum Lookups {
    static func call(_ function: String, arguments: [Evaluator.EvaluatedArgument], evaluator: Evaluator) throws -> Value {
        let positional = arguments.filter { $0.name == nil }.map(\.value)
        switch function {
        case "range":
            return .list(try IntegerRange(positional).values())
        case "lookup", "query", "q":
            guard case .string(let plugin)? = positional.first else { throw TemplateError("\(function)() needs a lookup name") }
            let terms = Array(positional.dropFirst())
            let results = try lookup(Filters.shortName(plugin), terms: terms, arguments: arguments, evaluator: evaluator)
            if function == "lookup" && !(arguments.first { $0.name == "wantlist" }?.value.isTruthy ?? false) {
                return results.count == 1 ? results[0] : .string(try results.map { try $0.renderedChecked() }.joined(separator: ","))
            }
            return .list(results)
        default:
            throw TemplateError("no function named '\(function)'")
        }
    }

    private static func lookup(_ plugin: String, terms: [Value], arguments: [Evaluator.EvaluatedArgument], evaluator: Evaluator) throws -> [Value] {
        let context = evaluator.context
        func named(_ key: String) -> Value? { arguments.first { $0.name == key }?.value }
        switch plugin {
        case "env":
            return try terms.map { .string(try context.environment($0.renderedChecked()) ?? named("default")?.renderedChecked() ?? "") }
        case "vars":
            return try terms.map { term in
                let name = try term.renderedChecked()
                if let value = context.variables[name] { return try evaluator.variable(name, value) }
                if let fallback = named("default") { return fallback }
                throw TemplateError("lookup('vars'): no variable '\(term.rendered.prefix(100))'")
            }
        case "file", "template":
            return try terms.map { term in
                let path = try find(term.renderedChecked(), in: context.searchPaths, plugin: plugin)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw TemplateError("lookup('\(plugin)'): cannot read \(path)")
                }
                var text = String(decoding: data, as: UTF8.self)
                if plugin == "file" {
                    if named("rstrip")?.isTruthy ?? true { while text.last?.isNewline == true { text.removeLast() } }
                    return .string(text)
                }
                let template = try Template(text, file: path)
                return .string(try template.render(with: evaluator.entering(template, "lookup('template', '\(path)')")))
            }
        default:
            throw TemplateError("no lookup plugin named '\(plugin)' (Skiff has env, file, template, vars)")
        }
    }

    private static func find(_ name: String, in searchPaths: [String], plugin: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let subdirectory = plugin == "file" ? "files" : "templates"
        for base in searchPaths {
            for candidate in ["\(base)/\(subdirectory)/\(name)", "\(base)/\(name)"] where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
        }
        throw TemplateError("lookup('\(plugin)'): could not find '\(name)' (searched \(searchPaths.joined(separator: ", ")))")
    }
}
