#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import SkiffCore

/// Integer arithmetic with Python's results (floor division, modulo with the divisor's sign, exact
/// powers) on Skiff's 64-bit integers. Python's integers have no bound; where a result does not fit in
/// 64 bits (`2 ** 63`, `-(-9223372036854775808)`) this is an error naming the expression, never a wrong
/// number and never a crash.
enum IntegerMath {
    static func overflow(_ expression: String) -> TemplateError {
        TemplateError("the integer result of \(expression) is beyond Skiff's 64-bit integers (-9223372036854775808 to 9223372036854775807)")
    }

    static func add(_ a: Int, _ b: Int) throws -> Int {
        let (sum, overflowed) = a.addingReportingOverflow(b)
        if overflowed { throw overflow("\(a) + \(b)") }
        return sum
    }

    static func subtract(_ a: Int, _ b: Int) throws -> Int {
        let (difference, overflowed) = a.subtractingReportingOverflow(b)
        if overflowed { throw overflow("\(a) - \(b)") }
        return difference
    }

    static func multiply(_ a: Int, _ b: Int) throws -> Int {
        let (product, overflowed) = a.multipliedReportingOverflow(by: b)
        if overflowed { throw overflow("\(a) * \(b)") }
        return product
    }

    static func negate(_ a: Int) throws -> Int {
        guard a != Int.min else { throw overflow("-(\(a))") }
        return -a
    }

    /// Python's `a // b`: the quotient rounded towards negative infinity.
    static func floorDivide(_ a: Int, _ b: Int) throws -> Int {
        guard b != 0 else { throw TemplateError("integer division by zero") }
        let (quotient, overflowed) = a.dividedReportingOverflow(by: b)
        if overflowed { throw overflow("\(a) // \(b)") }
        let remainder = a - quotient * b
        return remainder != 0 && (remainder < 0) != (b < 0) ? quotient - 1 : quotient
    }

    /// Python's `a % b`: the remainder has the divisor's sign.
    static func modulo(_ a: Int, _ b: Int) throws -> Int {
        guard b != 0 else { throw TemplateError("integer modulo by zero") }
        // Only Int.min % -1 reports an overflow, and its remainder (0) is right.
        let remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
        return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder
    }

    /// Python's `a ** b`: exact for a non-negative exponent, a float for a negative one.
    static func power(_ a: Int, _ b: Int) throws -> Value {
        guard b >= 0 else {
            guard a != 0 else { throw TemplateError("0 cannot be raised to a negative power") }
            return .double(pow(Double(a), Double(b)))
        }
        var result = 1
        var base = a
        var exponent = b
        while exponent > 0 {
            if exponent & 1 == 1 {
                let (product, overflowed) = result.multipliedReportingOverflow(by: base)
                if overflowed { throw overflow("\(a) ** \(b)") }
                result = product
            }
            exponent >>= 1
            if exponent > 0 {
                // The square is a factor of the result still to come, so its overflow is the result's.
                let (square, overflowed) = base.multipliedReportingOverflow(by: base)
                if overflowed { throw overflow("\(a) ** \(b)") }
                base = square
            }
        }
        return .int(result)
    }

    /// A float's integer part, as Python's `int(x)`: NaN, infinities and values beyond 64 bits are errors.
    static func truncate(_ number: Double) throws -> Int {
        if number.isNaN { throw TemplateError("cannot convert float NaN to integer") }
        if number.isInfinite { throw TemplateError("cannot convert float infinity to integer") }
        // 2^63 is exactly representable; every double below it and at or above -2^63 truncates into range.
        guard number >= -0x1p63, number < 0x1p63 else { throw overflow("int(\(number))") }
        return Int(number)
    }
}
