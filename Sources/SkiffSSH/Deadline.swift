/// A point in time after which an operation gives up, or none.
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant?

    static let never = Deadline(instant: nil)

    static func after(_ duration: Duration?) -> Deadline {
        guard let duration else { return .never }
        return Deadline(instant: .now + duration)
    }

    var hasPassed: Bool {
        guard let instant else { return false }
        return ContinuousClock.now >= instant
    }

    /// Milliseconds left, rounded up, for `poll(2)`; -1 when there is no deadline.
    var pollTimeout: Int32 {
        guard let instant else { return -1 }
        let left = instant - .now
        if left <= .zero { return 0 }
        let millis = left.milliseconds.rounded(.up)
        return Int32(min(millis, Double(Int32.max)))
    }

    /// The earlier of two deadlines.
    func earlier(_ other: Deadline) -> Deadline {
        switch (instant, other.instant) {
        case (nil, _): return other
        case (_, nil): return self
        case (let a?, let b?): return Deadline(instant: min(a, b))
        }
    }
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// The duration in (fractional) seconds.
    var seconds: Double { milliseconds / 1000 }
}
