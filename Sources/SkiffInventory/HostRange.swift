/// Expands Ansible host ranges: `web[01:20]` (leading zeros kept), `db-[a:f]`, `node[0:10:2]`,
/// several ranges in one name; a range without a start (`node[:2]`) starts at 0, as in Ansible.
/// One written name makes at most `limit` hosts.
enum HostRange {
    struct Failure: Error {
        let message: String
    }

    /// Hosts one written name may expand to: larger fleets are split over several lines or inventories.
    static let limit = 100_000

    static func expand(_ pattern: String) throws -> [String] {
        var parts: [Part] = []
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            parts.append(.text(String(rest[..<open])))
            parts.append(try Part.range(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        parts.append(.text(String(rest)))
        var count = 1
        for case .range(let range) in parts {
            let (product, overflow) = count.multipliedReportingOverflow(by: range.count)
            guard !overflow, product <= limit else {
                throw Failure(message: "host name '\(pattern)' makes more than \(limit) hosts; split it into several ranges")
            }
            count = product
        }
        var names = [""]
        names.reserveCapacity(count)
        for part in parts {
            switch part {
            case .text(let text): names = names.map { $0 + text }
            case .range(let range): names = names.flatMap { name in range.values().map { name + $0 } }
            }
        }
        return names
    }

    private enum Part {
        case text(String)
        case range(Range)

        static func range(_ body: String) throws -> Part {
            let fields = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 2 || fields.count == 3 else {
                throw Failure(message: "host range '[\(body)]' must be [start:end] or [start:end:step]")
            }
            let step = fields.count == 3 ? Int(fields[2]) : 1
            guard let step, step > 0 else { throw Failure(message: "host range step in '[\(body)]' must be a positive number") }
            return .range(try Range(from: fields[0].isEmpty ? "0" : fields[0], to: fields[1], step: step, body: body))
        }
    }

    /// One `[start:end:step]`, numbers or lowercase letters.
    private struct Range {
        static let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let first: Int
        let last: Int
        let step: Int
        /// Digits every number is padded to (a zero-padded start such as "01"); nil for letters.
        let width: Int?

        init(from start: String, to end: String, step: Int, body: String) throws {
            self.step = step
            if let first = Int(start), let last = Int(end) {
                guard first <= last else { throw Failure(message: "host range '[\(body)]' runs backwards") }
                (self.first, self.last) = (first, last)
                width = start.hasPrefix("0") && start.count > 1 ? start.count : 0
                return
            }
            guard start.count == 1, end.count == 1, let first = Self.letters.firstIndex(of: Character(start)),
                let last = Self.letters.firstIndex(of: Character(end)), first <= last
            else {
                throw Failure(message: "host range '[\(body)]' must run between two numbers or two lowercase letters")
            }
            (self.first, self.last, width) = (first, last, nil)
        }

        /// How many names the range makes (`Int.max` for a span beyond what an Int holds).
        var count: Int {
            let (span, overflow) = last.subtractingReportingOverflow(first)
            let (count, beyond) = (span / step).addingReportingOverflow(1)
            return overflow || beyond ? .max : count
        }

        func values() -> [String] {
            stride(from: first, through: last, by: step).map { number in
                guard let width else { return String(Self.letters[number]) }
                let digits = String(number)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
        }
    }
}
