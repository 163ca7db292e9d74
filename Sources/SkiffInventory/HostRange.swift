/// Expands Ansible host ranges: `web[01:20]` (leading zeros kept), `db-[a:f]`, `node[0:10:2]`,
/// several ranges in one name.
enum HostRange {
    struct Failure: Error {
        let message: String
    }

    static func expand(_ pattern: String) throws -> [String] {
        guard let open = pattern.firstIndex(of: "["), let close = pattern[open...].firstIndex(of: "]") else {
            return [pattern]
        }
        let head = String(pattern[..<open])
        let tail = String(pattern[pattern.index(after: close)...])
        let body = pattern[pattern.index(after: open)..<close]
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw Failure(message: "host range '[\(body)]' must be [start:end] or [start:end:step]")
        }
        let step = parts.count == 3 ? Int(parts[2]) : 1
        guard let step, step > 0 else { throw Failure(message: "host range step in '[\(body)]' must be a positive number") }
        let middles = try values(from: parts[0], to: parts[1], step: step, body: String(body))
        return try middles.flatMap { middle in try expand(tail).map { head + middle + $0 } }
    }

    private static func values(from start: String, to end: String, step: Int, body: String) throws -> [String] {
        if let first = Int(start), let last = Int(end) {
            guard first <= last else { throw Failure(message: "host range '[\(body)]' runs backwards") }
            // A zero-padded start ("01") pads every number to its width.
            let width = start.hasPrefix("0") && start.count > 1 ? start.count : 0
            return stride(from: first, through: last, by: step).map { number in
                let digits = String(number)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
        }
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        guard start.count == 1, end.count == 1, let first = letters.firstIndex(of: Character(start)),
            let last = letters.firstIndex(of: Character(end)), first <= last
        else {
            throw Failure(message: "host range '[\(body)]' must run between two numbers or two lowercase letters")
        }
        return stride(from: first, through: last, by: step).map { String(letters[$0]) }
    }
}
