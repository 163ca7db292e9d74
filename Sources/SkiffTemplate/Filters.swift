#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import OrderedCollections
import SkiffCore

/// The filters deploy playbooks use, with Ansible's semantics. An unknown filter is an error naming it.
enum Filters {
    typealias Arguments = [Evaluator.EvaluatedArgument]

    /// Every filter name Skiff knows, with and without the `ansible.builtin.` prefix.
    static let names: Set<String> = [
        "default", "d", "mandatory", "quote", "lower", "upper", "capitalize", "title", "trim", "replace", "int",
        "float", "bool", "string", "length", "count", "join", "first", "last", "split", "regex_replace",
        "regex_search", "b64encode", "b64decode", "to_json", "to_nice_json", "from_json", "to_yaml", "to_nice_yaml",
        "basename", "dirname", "combine", "dict2items", "items2dict", "list", "unique", "sort", "min", "max", "abs",
        "round", "map", "select", "reject", "selectattr", "rejectattr", "flatten", "sum", "reverse", "dict",
        "password_hash", "ternary",
    ]

    static func isKnown(_ name: String) -> Bool { names.contains(shortName(name)) }

    static func shortName(_ name: String) -> String {
        name.hasPrefix("ansible.builtin.") ? String(name.dropFirst("ansible.builtin.".count)) : name
    }

    static func apply(_ fullName: String, to input: Evaluated, arguments: Arguments, evaluator: Evaluator) throws -> Evaluated {
        let name = shortName(fullName)
        let positional = arguments.filter { $0.name == nil }.map(\.value)
        func named(_ key: String) -> Value? { arguments.first { $0.name == key }?.value }
        func arg(_ index: Int, _ key: String) -> Value? { index < positional.count ? positional[index] : named(key) }

        switch name {
        case "default", "d":
            let fallback = arg(0, "default_value") ?? .string("")
            let checkFalsy = arg(1, "boolean")?.isTruthy ?? false
            switch input {
            case .undefined: return .value(fallback)
            case .value(let value): return .value(checkFalsy && !value.isTruthy ? fallback : value)
            }
        case "mandatory":
            if case .undefined(let variable) = input {
                let message = try arg(0, "msg")?.renderedChecked() ?? "Mandatory variable '\(variable)' not defined."
                throw TemplateError(message)
            }
            return input
        default:
            break
        }
        guard names.contains(name) else {
            throw TemplateError("no filter named '\(fullName)'")
        }
        let value = try input.require()
        return .value(try applyDefined(name, value, arg: arg, named: named, evaluator: evaluator))
    }

    private static func applyDefined(
        _ name: String, _ value: Value, arg: (Int, String) -> Value?, named: (String) -> Value?, evaluator: Evaluator
    ) throws -> Value {
        switch name {
        case "quote": return .string(try ShellQuote.quote(value.renderedChecked()))
        case "lower": return .string(try value.renderedChecked().lowercased())
        case "upper": return .string(try value.renderedChecked().uppercased())
        case "capitalize":
            let text = try value.renderedChecked()
            return .string(text.prefix(1).uppercased() + text.dropFirst().lowercased())
        case "title": return .string(try value.renderedChecked().capitalized)
        case "trim": return .string(try value.renderedChecked().trimmingWhitespaceAndNewlines())
        case "replace":
            guard let old = arg(0, "old"), let new = arg(1, "new") else { throw TemplateError("replace needs old and new") }
            return .string(try replacing(value.renderedChecked(), old.renderedChecked(), with: new.renderedChecked()))
        case "int":
            // As Jinja: the text as an integer, else as a float's integer part; NaN and text that is no
            // number give the default; infinities and values beyond 64 bits are errors.
            let fallback = arg(0, "default") ?? .int(0)
            switch value {
            case .int: return value
            case .double(let number): return number.isNaN ? fallback : .int(try IntegerMath.truncate(number))
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .string(let text):
                let trimmed = text.trimmingSpacesAndTabs()
                if let number = Int(trimmed) { return .int(number) }
                if let number = Double(trimmed), !number.isNaN { return .int(try IntegerMath.truncate(number)) }
                return fallback
            default: return fallback
            }
        case "float":
            switch value {
            case .int(let number): return .double(Double(number))
            case .double: return value
            case .string(let text): return Double(text.trimmingSpacesAndTabs()).map(Value.double) ?? arg(0, "default") ?? .double(0)
            default: return arg(0, "default") ?? .double(0)
            }
        case "ternary":
            // As Ansible: the third value for none when it is given, else the first for a truthy value.
            if value == .null, let none = arg(2, "none_val") { return none }
            return value.isTruthy ? arg(0, "true_val") ?? .null : arg(1, "false_val") ?? .null
        case "bool":
            switch value {
            case .bool: return value
            case .int(let number): return .bool(number == 1)
            case .string(let text): return .bool(["yes", "on", "1", "true", "y", "t"].contains(text.lowercased().trimmingSpacesAndTabs()))
            default: return .bool(false)
            }
        case "string": return .string(try value.renderedChecked())
        case "length", "count":
            switch value {
            case .string(let text): return .int(text.count)
            case .list(let items): return .int(items.count)
            case .dict(let dict): return .int(dict.count)
            default: throw TemplateError("object of type '\(value.typeName)' has no len()")
            }
        case "join":
            let separator = try arg(0, "d")?.renderedChecked() ?? ""
            let parts = try items(value)
            try TemplateLimits.checkText("the joined text", count: parts.count - 1, unitBytes: separator.utf8.count)
            var joined = ""
            for (index, part) in parts.enumerated() {
                if index > 0 { joined += separator }
                joined += try part.renderedChecked()
                _ = try TemplateLimits.checked(joined, "the joined text")
            }
            return .string(joined)
        case "first": return try items(value).first ?? .null
        case "last": return try items(value).last ?? .null
        case "split":
            let text = try value.renderedChecked()
            if let separator = try arg(0, "sep")?.renderedChecked() {
                return .list(text.components(separatedBy: separator).map(Value.string))
            }
            return .list(text.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
        case "regex_replace":
            let pattern = try arg(0, "regex")?.renderedChecked() ?? ""
            let replacement = try (arg(1, "replace")?.renderedChecked() ?? "").replacing(/\\(\d)/) { "$" + $0.output.1 }
            let regex = try compile(pattern, ignoreCase: named("ignorecase")?.isTruthy ?? false)
            return .string(try RegexReplacement.replace(regex, in: value.renderedChecked(), with: replacement))
        case "regex_search":
            let regex = try compile(arg(0, "regex")?.renderedChecked() ?? "", ignoreCase: named("ignorecase")?.isTruthy ?? false)
            let text = try value.renderedChecked()
            guard let match = text.firstMatch(of: regex) else { return .null }
            return .string(String(text[match.range]))
        case "b64encode": return .string(try Data(value.renderedChecked().utf8).base64EncodedString())
        case "b64decode":
            guard let data = try Data(base64Encoded: value.renderedChecked()) else { throw TemplateError("b64decode: not valid base64") }
            return .string(String(decoding: data, as: UTF8.self))
        case "to_json": return .string(try TemplateLimits.checked(value.checkedSize().json, "the JSON text"))
        case "to_nice_json": return .string(try TemplateLimits.checked(JSONText.pretty(value.checkedSize()), "the JSON text"))
        case "from_json": return try JSONValue.parse(value.renderedChecked())
        case "to_yaml", "to_nice_yaml":
            return .string(try TemplateLimits.checked(YAMLText.render(value.checkedSize(), nice: name == "to_nice_yaml") + "\n", "the YAML text"))
        case "basename": return .string(try value.renderedChecked().split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "")
        case "dirname":
            let text = try value.renderedChecked()
            guard let slash = text.lastIndex(of: "/") else { return .string("") }
            return .string(slash == text.startIndex ? "/" : String(text[..<slash]))
        case "combine":
            guard case .dict(var result) = value else { throw TemplateError("combine expects dictionaries") }
            let recursive = named("recursive")?.isTruthy ?? false
            var index = 0
            while let next = arg(index, "__none__") {
                guard case .dict(let other) = next else { throw TemplateError("combine expects dictionaries") }
                result = merge(result, other, recursive: recursive)
                index += 1
            }
            return .dict(result)
        case "dict2items":
            guard case .dict(let dict) = value else { throw TemplateError("dict2items expects a dictionary") }
            let keyName = try named("key_name")?.renderedChecked() ?? "key"
            let valueName = try named("value_name")?.renderedChecked() ?? "value"
            return .list(dict.map { .dict([keyName: .string($0.key), valueName: $0.value]) })
        case "items2dict":
            let keyName = try named("key_name")?.renderedChecked() ?? "key"
            let valueName = try named("value_name")?.renderedChecked() ?? "value"
            var dict = OrderedDictionary<String, Value>()
            for item in try items(value) {
                guard case .dict(let entry) = item, let key = entry[keyName] else { throw TemplateError("items2dict: each item needs '\(keyName)'") }
                dict[try key.renderedChecked()] = entry[valueName] ?? .null
            }
            return .dict(dict)
        case "dict":
            var dict = OrderedDictionary<String, Value>()
            for item in try items(value) {
                guard case .list(let pair) = item, pair.count == 2 else { throw TemplateError("dict: expects pairs") }
                dict[try pair[0].renderedChecked()] = pair[1]
            }
            return .dict(dict)
        case "list": return .list(try items(value))
        case "unique":
            // Equal numbers are one (1, 1.0 and true), as Python compares them; a set keeps this linear.
            func key(_ item: Value) -> Value {
                switch item {
                case .bool(let flag): return .int(flag ? 1 : 0)
                case .double(let number) where number == number.rounded() && abs(number) < 0x1p63: return .int(Int(number))
                default: return item
                }
            }
            var seen = Set<Value>()
            var unique: [Value] = []
            for item in try items(value) where seen.insert(key(item)).inserted { unique.append(item) }
            return .list(unique)
        case "sort":
            let reverse = arg(0, "reverse")?.isTruthy ?? false
            let sorted = try items(value).sorted { (try? Operators.apply("<", $0, $1).isTruthy) ?? false }
            return .list(reverse ? sorted.reversed() : sorted)
        case "reverse":
            if case .string(let text) = value { return .string(String(text.reversed())) }
            return .list(try items(value).reversed())
        case "min", "max":
            let all = try items(value)
            guard var best = all.first else { return .null }
            for item in all.dropFirst() where (try Operators.apply(name == "min" ? "<" : ">", item, best)).isTruthy { best = item }
            return best
        case "sum":
            return try items(value).reduce(arg(0, "start") ?? .int(0)) { try Operators.apply("+", $0, $1) }
        case "abs":
            if case .int(let number) = value { return .int(number < 0 ? try IntegerMath.negate(number) : number) }
            if case .double(let number) = value { return .double(abs(number)) }
            throw TemplateError("abs expects a number")
        case "round":
            let places = arg(0, "precision")?.intValue ?? 0
            guard case .double(let number) = try apply("float", to: .value(value), arguments: [], evaluator: evaluator).require() else { return value }
            let factor = pow(10.0, Double(places))
            return .double((number * factor).rounded() / factor)
        case "flatten":
            func flatten(_ list: [Value]) -> [Value] {
                list.flatMap { item -> [Value] in if case .list(let inner) = item { return flatten(inner) } else { return [item] } }
            }
            return .list(flatten(try items(value)))
        case "map":
            if let attribute = try named("attribute")?.renderedChecked() {
                return .list(try items(value).map { item in
                    guard case .dict(let dict) = item else { return .null }
                    return dict[attribute] ?? named("default") ?? .null
                })
            }
            guard let filter = try arg(0, "filter")?.renderedChecked() else { throw TemplateError("map needs a filter name or attribute=") }
            return .list(try items(value).map { try apply(filter, to: .value($0), arguments: [], evaluator: evaluator).require() })
        case "select", "reject":
            let test = try arg(0, "test")?.renderedChecked()
            return .list(try items(value).filter { item in
                let passes = try test.map { try JinjaTests.apply($0, to: .value(item), arguments: []) } ?? item.isTruthy
                return passes == (name == "select")
            })
        case "selectattr", "rejectattr":
            guard let attribute = try arg(0, "attr")?.renderedChecked() else { throw TemplateError("\(name) needs an attribute name") }
            let test = try arg(1, "test")?.renderedChecked()
            let testArguments = [arg(2, "value")].compactMap { $0 }
            return .list(try items(value).filter { item in
                let field: Evaluated
                if case .dict(let dict) = item, let found = dict[attribute] { field = .value(found) } else { field = .undefined(attribute) }
                let passes = try test.map { try JinjaTests.apply($0, to: field, arguments: testArguments) } ?? ((try? field.require())?.isTruthy ?? false)
                return passes == (name == "selectattr")
            })
        case "password_hash":
            throw TemplateError("password_hash is not supported by Skiff")
        default:
            throw TemplateError("no filter named '\(name)'")
        }
    }

    static func items(_ value: Value) throws -> [Value] {
        switch value {
        case .list(let items): return items
        case .dict(let dict): return dict.keys.map(Value.string)
        case .string(let text):
            if text.utf8.count > TemplateLimits.listItems { try TemplateLimits.checkItems("the list of characters", text.count) }
            return text.map { .string(String($0)) }
        default: throw TemplateError("'\(value.typeName)' object is not iterable")
        }
    }

    /// Python's `text.replace(old, new)`: every non-overlapping `old`, from the left, replaced by `new`
    /// (an empty `old` puts `new` between every two characters and at both ends). The result is refused
    /// before it is built when it would be larger than `TemplateLimits.textBytes`.
    static func replacing(_ text: String, _ old: String, with new: String) throws -> String {
        if old.isEmpty {
            let scalars = text.unicodeScalars
            try TemplateLimits.checkText("the replaced text", count: scalars.count + 1, unitBytes: new.utf8.count, plus: text.utf8.count)
            var result = new
            for scalar in scalars {
                result.unicodeScalars.append(scalar)
                result += new
            }
            return result
        }
        // Matching UTF-8 bytes of valid UTF-8 text finds exactly the character-sequence matches.
        let bytes = Array(text.utf8)
        let pattern = Array(old.utf8)
        var matches: [Int] = []
        var position = 0
        while position + pattern.count <= bytes.count {
            if bytes[position] == pattern[0] && bytes[position..<position + pattern.count].elementsEqual(pattern) {
                matches.append(position)
                position += pattern.count
            } else {
                position += 1
            }
        }
        let growth = new.utf8.count - pattern.count
        if growth > 0 {
            try TemplateLimits.checkText("the replaced text", count: matches.count, unitBytes: growth, plus: bytes.count)
        }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + max(0, growth) * matches.count)
        var copied = 0
        for match in matches {
            result.append(contentsOf: bytes[copied..<match])
            result.append(contentsOf: new.utf8)
            copied = match + pattern.count
        }
        result.append(contentsOf: bytes[copied...])
        return String(decoding: result, as: UTF8.self)
    }

    /// A regular expression matched on Unicode scalars, as Python's `re` matches.
    static func compile(_ pattern: String, ignoreCase: Bool) throws -> Regex<AnyRegexOutput> {
        do {
            let regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
            return ignoreCase ? regex.ignoresCase() : regex
        } catch {
            throw TemplateError("invalid regular expression '\(pattern)'")
        }
    }

    private static func merge(_ base: OrderedDictionary<String, Value>, _ other: OrderedDictionary<String, Value>, recursive: Bool)
        -> OrderedDictionary<String, Value>
    {
        var result = base
        for (key, value) in other {
            if recursive, case .dict(let left)? = result[key], case .dict(let right) = value {
                result[key] = .dict(merge(left, right, recursive: true))
            } else {
                result[key] = value
            }
        }
        return result
    }
}
