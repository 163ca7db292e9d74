#if canImport(Glibc)
import Glibc
#endif

/// UTC timestamps as the audit log writes them: `2026-11-21T20:31:05.123Z` (sortable as text).
public enum AuditTime {
    public static func now() -> String { format(milliseconds: nowMilliseconds()) }

    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    public static func format(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(milliseconds % 1000)
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }

    /// Milliseconds since the epoch from `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.mmm]]Z?` (UTC), or nil.
    public static func parse(_ text: String) -> Int64? {
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 3 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(digits[0] - 1900)
        parts.tm_mon = Int32(digits[1] - 1)
        parts.tm_mday = Int32(digits[2])
        parts.tm_hour = Int32(digits.count > 3 ? digits[3] : 0)
        parts.tm_min = Int32(digits.count > 4 ? digits[4] : 0)
        parts.tm_sec = Int32(digits.count > 5 ? digits[5] : 0)
        let millis = digits.count > 6 ? Int64(digits[6]) : 0
        return Int64(timegm(&parts)) * 1000 + millis
    }
}
