import Foundation
import OrderedCollections
import SkiffCore
import SkiffTestSupport
import Testing

/// Skiff runs the playbooks of Fixtures/crosscheck/ (local connection) and must do what ansible-core
/// 2.19.14 did with them, as scripts/crosscheck-runs recorded it in NAME.expected.json: the same exit
/// status class, the same files left in `out`, the same values printed by `debug` on each host, in order.
/// Where Skiff differs on purpose, differences.txt names the fields not compared and why.
@Suite("cross-check: runs match ansible-core's", .serialized)
struct CrosscheckRunTests {
    static let fixtures: String = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/crosscheck").path
        return resolved(path)
    }()

    /// The path with its links resolved (as Python's os.path.realpath, which the script uses).
    static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    static var playbooks: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        return names.filter { $0.hasSuffix(".yml") && $0.first?.isNumber == true }.sorted()
    }

    /// Fields not compared, by playbook (differences.txt: NAME, FIELDS, why).
    static var knownDifferences: [String: Set<String>] {
        let text = (try? String(contentsOfFile: "\(fixtures)/differences.txt", encoding: .utf8)) ?? ""
        var known: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
            if fields.count == 3 { known[fields[0]] = Set(fields[1].split(separator: ",").map(String.init)) }
        }
        return known
    }

    @Test func everyIssueItemHasAPlaybook() {
        #expect(Self.playbooks.count >= 15)
    }

    @Test(arguments: playbooks)
    func skiffDoesWhatAnsibleDid(_ name: String) async throws {
        let expectedText = try String(contentsOfFile: "\(Self.fixtures)/\(name.dropLast(4)).expected.json", encoding: .utf8)
        var theirs = Self.sorted(try JSONParser.parse(expectedText)).dictValue ?? [:]
        var ours = try await Self.run(name)
        for field in Self.knownDifferences[name] ?? [] {
            theirs.removeValue(forKey: field)
            ours.removeValue(forKey: field)
        }
        #expect(ours["exit"] == theirs["exit"], "\(name): exit status class")
        #expect(ours["debug"] == theirs["debug"], "\(name): debug values\n skiff:   \(ours["debug"]?.json ?? "")\n ansible: \(theirs["debug"]?.json ?? "")")
        #expect(ours["files"] == theirs["files"], "\(name): files left\n skiff:   \(ours["files"]?.json ?? "")\n ansible: \(theirs["files"]?.json ?? "")")
    }

    /// Runs the playbook as scripts/crosscheck-runs does and describes what happened in the same shape.
    static func run(_ name: String) async throws -> OrderedDictionary<String, Value> {
        let scratch = try ScratchDirectory("crosscheck")
        let out = scratch.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let outPath = resolved(out)
        let playbook = "\(fixtures)/\(name)"
        let argv = ["/bin/sh", "-c", "cd \"$1\" && shift && umask 022 && exec \"$@\"", "sh", fixtures, ExecCommandTests.skiff,
                    "-i", "\(fixtures)/hosts.ini", playbook, "-e", "out=\(outPath)"] + arguments(of: playbook) + ["--no-lock"]
        let environment = ["NO_COLOR": "1", "ANSIBLE_CONFIG": "\(fixtures)/ansible.cfg", "SKIFF_AUDIT_LOG": scratch.file("audit.jsonl")]
        let (status, output) = try await offPool { () -> (Int32, String) in
            do { return (0, try Shell.run(argv, environment: environment)) } catch let failure as Shell.Failure { return (failure.status, failure.output) }
        }
        let exit: String = switch status {
        case 0: "ok"
        case 2: "failed"
        case 4: "unreachable"
        default: "error"
        }
        return ["exit": .string(exit), "debug": debugValues(output, out: outPath), "files": files(below: outPath)]
    }

    static func arguments(of playbook: String) -> [String] {
        let text = (try? String(contentsOfFile: playbook, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("#") else { break }
            if line.hasPrefix("# args:") { return (try? ShellWords.split(String(line.dropFirst("# args:".count)))) ?? [] }
        }
        return []
    }

    /// Each `ok: [HOST] … => JSON` of the output, per host in order, without the keys that describe the
    /// result rather than the value, paths replaced by `$OUT` and `$DIR`.
    static func debugValues(_ output: String, out: String) -> Value {
        var values = OrderedDictionary<String, Value>()
        let dropped: Set<String> = ["changed", "failed", "item", "ansible_loop_var", "ansible_index_var"]
        var rest = Substring(output)
        while let start = rest.range(of: "ok: [") {
            let lineStart = start.lowerBound == output.startIndex || output[output.index(before: start.lowerBound)] == "\n"
            rest = rest[start.upperBound...]
            guard lineStart, let close = rest.firstIndex(of: "]") else { continue }
            let host = String(rest[..<close])
            var after = rest[rest.index(after: close)...]
            if after.hasPrefix(" => (item=") {
                let line = after[..<(after.firstIndex(of: "\n") ?? after.endIndex)]
                guard let end = line.range(of: ") => ") else { continue }
                after = after[end.upperBound...]
            } else if after.hasPrefix(" => ") {
                after = after.dropFirst(4)
            } else {
                continue
            }
            guard let json = jsonPrefix(after), case .some(var value) = try? JSONParser.parse(String(json)) else { continue }
            if case .dict(var dict) = value {
                dict = dict.filter { !dropped.contains($0.key) && !$0.key.hasPrefix("_ansible") }
                value = .dict(dict)
            }
            let text = value.json.replacingAll(out, with: "$OUT").replacingAll(fixtures, with: "$DIR")
            guard let normalised = try? JSONParser.parse(text) else { continue }
            values[host, default: .list([])] = .list((values[host]?.listValue ?? []) + [sorted(normalised)])
        }
        return sorted(.dict(values))
    }

    /// The JSON value at the start of `text` (an object or a list, strings respected).
    static func jsonPrefix(_ text: Substring) -> Substring? {
        guard let first = text.first, first == "{" || first == "[" else { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"": inString = true
            case "{", "[": depth += 1
            case "}", "]":
                depth -= 1
                if depth == 0 { return text[...index] }
            default: break
            }
        }
        return nil
    }

    /// Type, mode and text of every entry below `root`, as scripts/crosscheck-runs lists them.
    static func files(below root: String) -> Value {
        var tree = OrderedDictionary<String, Value>()
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = "\(root)/\(relative)"
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let mode = String(format: "%04o", Int(info.st_mode) & 0o7777)
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
                tree[relative] = .dict(["type": "link", "target": .string(target.replacingAll(root, with: "$OUT"))])
            case S_IFDIR:
                tree[relative] = .dict(["type": "directory", "mode": .string(mode)])
            default:
                let bytes = FileManager.default.contents(atPath: path).map { Array($0.prefix(4096)) } ?? []
                tree[relative] = .dict(["type": "file", "mode": .string(mode),
                                        "content": .string(String(decoding: bytes, as: UTF8.self).replacingAll(root, with: "$OUT"))])
            }
        }
        return sorted(.dict(tree))
    }

    /// Mappings with their keys in order, so that equal data compares equal.
    static func sorted(_ value: Value) -> Value {
        switch value {
        case .dict(let dict): return .dict(OrderedDictionary(uniqueKeysWithValues: dict.sorted { $0.key < $1.key }.map { ($0.key, sorted($0.value)) }))
        case .list(let items): return .list(items.map(sorted))
        default: return value
        }
    }
}
