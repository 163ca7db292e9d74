import SkiffCore

/// Python's `range(stop)`, `range(start, stop)` and `range(start, stop, step)` on 64-bit integers, with at
/// most `TemplateLimits.listItems` items; its length is counted before any item is made, without overflow.
struct IntegerRange {
    let start: Int
    let stop: Int
    let step: Int

    init(_ arguments: [Value]) throws {
        let numbers = arguments.compactMap { argument -> Int? in
            if case .int(let number) = argument { return number }
            return nil
        }
        guard (1...3).contains(arguments.count), numbers.count == arguments.count else {
            throw TemplateError("range() takes one to three integers, not (\(arguments.map(\.typeName).joined(separator: ", ")))")
        }
        start = numbers.count == 1 ? 0 : numbers[0]
        stop = numbers.count == 1 ? numbers[0] : numbers[1]
        step = numbers.count == 3 ? numbers[2] : 1
        guard step != 0 else { throw TemplateError("range() step must not be zero") }
    }

    /// How many items: ceil((stop - start) / step) when positive, computed on the distance's magnitude.
    var count: UInt64 {
        let ascending = step > 0
        guard ascending ? start < stop : start > stop else { return 0 }
        let distance = ascending ? UInt64(bitPattern: Int64(stop &- start)) : UInt64(bitPattern: Int64(start &- stop))
        let stride = step.magnitude
        return (distance - 1) / UInt64(stride) + 1
    }

    func values() throws -> [Value] {
        let total = count
        guard total <= UInt64(TemplateLimits.listItems) else {
            throw TemplateLimits.tooLarge("range()", Int(clamping: total), "items", limit: TemplateLimits.listItems)
        }
        var values: [Value] = []
        values.reserveCapacity(Int(total))
        var current = start
        for index in 0..<Int(total) {
            values.append(.int(current))
            // The last item's successor may lie beyond 64 bits; it is never made.
            if index + 1 < Int(total) { current &+= step }
        }
        return values
    }
}
