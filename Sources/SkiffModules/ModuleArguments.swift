import OrderedCollections
import SkiffCore

/// A task's (already templated) arguments, read with the types modules expect.
public struct ModuleArguments: Sendable {
    public let values: OrderedDictionary<String, Value>
    /// The module's name, for messages.
    public let module: String
    /// `--check`: the module finds out what it would change and changes nothing.
    public let checkMode: Bool
    /// `--diff`: modules that change file content say how (`ModuleOutcome.diff`).
    public let diff: Bool

    public init(_ values: OrderedDictionary<String, Value>, module: String, checkMode: Bool = false, diff: Bool = false) {
        self.values = values
        self.module = module
        self.checkMode = checkMode
        self.diff = diff
    }

    public func string(_ key: String, aliases: [String] = []) -> String? {
        for name in [key] + aliases {
            switch values[name] {
            case .string(let text)?: return text
            case .int(let number)?: return String(number)
            case .double(let number)?: return String(number)
            case .bool(let flag)?: return flag ? "true" : "false"
            default: continue
            }
        }
        return nil
    }

    public func required(_ key: String, aliases: [String] = []) throws -> String {
        guard let value = string(key, aliases: aliases), !value.isEmpty else {
            throw ModuleError("\(module): missing required argument '\(key)'")
        }
        return value
    }

    public func bool(_ key: String, default fallback: Bool = false) -> Bool {
        switch values[key] {
        case .bool(let flag)?: return flag
        case .string(let text)?: return ["yes", "true", "on", "1", "y"].contains(text.lowercased())
        case .int(let number)?: return number != 0
        default: return fallback
        }
    }

    public func int(_ key: String) -> Int? {
        switch values[key] {
        case .int(let number)?: return number
        case .string(let text)?: return Int(text)
        default: return nil
        }
    }

    public func list(_ key: String, aliases: [String] = []) -> [String] {
        for name in [key] + aliases {
            switch values[name] {
            case .list(let items)?: return items.map(\.text)
            case .string(let text)?: return text.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }
            default: continue
            }
        }
        return []
    }

    /// A file mode written as Ansible accepts it: octal text (`"0644"`, `"644"`, `"0o644"`), or a YAML
    /// number, which is the mode's value itself, as in Ansible: `mode: 0640` (YAML 1.1 reads a leading zero
    /// as octal) is 0640, while `mode: 644` is the decimal number 644, that is 01204 — write it quoted.
    public func mode(_ key: String = "mode") throws -> UInt32? {
        guard let value = values[key] else { return nil }
        let text: String
        switch value {
        case .string(let string): text = string
        case .int(let number):
            guard (0...0o7777).contains(number) else {
                throw ModuleError("\(module): '\(key)' \(number) is no file mode (as a YAML number it is decimal; write it quoted, such as '0644')")
            }
            return UInt32(number)
        default: throw ModuleError("\(module): '\(key)' must be an octal mode such as '0644'")
        }
        guard let mode = UInt32(text.hasPrefix("0o") ? String(text.dropFirst(2)) : text, radix: 8), mode <= 0o7777 else {
            throw ModuleError("\(module): '\(key)' must be an octal mode such as '0644', not '\(text)'")
        }
        return mode
    }
}
