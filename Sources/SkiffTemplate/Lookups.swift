import Foundation
import SkiffCore

/// `lookup('env', 'NAME')`, `lookup('file', path)`, `lookup('template', path)`, `lookup('vars', name)`,
/// their list forms `query`/`q`, and `range(...)`.
enum Lookups {
    static func call(_ function: String, arguments: [Evaluator.EvaluatedArgument], evaluator: Evaluator) throws -> Value {
        let positional = arguments.filter { $0.name == nil }.map(\.value)
        switch function {
        case "range":
            let numbers = positional.compactMap(\.intValue)
            let (start, end, step) = numbers.count == 1 ? (0, numbers[0], 1) : (numbers[0], numbers[1], numbers.count > 2 ? numbers[2] : 1)
            guard step != 0 else { throw TemplateError("range() step must not be zero") }
            return .list(Array(stride(from: start, to: end, by: step)).map(Value.int))
        case "lookup", "query", "q":
            guard case .string(let plugin)? = positional.first else { throw TemplateError("\(function)() needs a lookup name") }
            let terms = Array(positional.dropFirst())
            let results = try lookup(Filters.shortName(plugin), terms: terms, arguments: arguments, evaluator: evaluator)
            if function == "lookup" && !(arguments.first { $0.name == "wantlist" }?.value.isTruthy ?? false) {
                return results.count == 1 ? results[0] : .string(results.map(\.rendered).joined(separator: ","))
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
            return terms.map { .string(context.environment($0.rendered) ?? named("default")?.rendered ?? "") }
        case "vars":
            return try terms.map { term in
                if let value = context.variables[term.rendered] { return value }
                if let fallback = named("default") { return fallback }
                throw TemplateError("lookup('vars'): no variable '\(term.rendered)'")
            }
        case "file", "template":
            return try terms.map { term in
                let path = try find(term.rendered, in: context.searchPaths, plugin: plugin)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw TemplateError("lookup('\(plugin)'): cannot read \(path)")
                }
                var text = String(decoding: data, as: UTF8.self)
                if plugin == "file" {
                    if named("rstrip")?.isTruthy ?? true { while text.last?.isNewline == true { text.removeLast() } }
                    return .string(text)
                }
                return .string(try Template(text, file: path).render(context))
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
