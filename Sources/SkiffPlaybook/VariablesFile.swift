#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OrderedCollections
import SkiffCore
import SkiffYAML

/// A YAML or JSON file of variables (`include_vars`), read as the loader reads `vars_files`: Ansible
/// Vault files are decrypted, an empty file holds no variables, anything but a mapping is an error.
public enum VariablesFile {
    public static func read(_ path: String) throws -> OrderedDictionary<String, Value> {
        guard let data = FileManager.default.contents(atPath: path) else { throw VariablesFileError("cannot read \(path)") }
        do {
            guard let node = try YAMLValue.compose(String(decoding: data, as: UTF8.self), file: path), !YAMLValue.isNull(node) else { return [:] }
            guard case .dict(let variables) = try YAMLValue.value(of: node, file: path) else {
                throw VariablesFileError("\(path) does not hold a mapping of variables")
            }
            return variables
        } catch let error as YAMLError {
            throw VariablesFileError("\(error)")
        }
    }
}

public struct VariablesFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
