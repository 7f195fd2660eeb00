import Foundation

/// Axis tick values at a "nice" step: 1, 2 or 5 times a power of ten.
///
/// Ticks are computed as integer multiples of the step and divided by an exact power of ten, so that a tick prints
/// as `0.3`, never `0.30000000000000004`, and two renders of the same data give the same labels.
public struct NiceTicks: Equatable, Sendable {
    /// Distance between neighbouring ticks.
    public let step: Double
    /// The tick values in increasing order.
    public let values: [Double]
    /// Digits after the decimal point needed to print every tick exactly (0 for steps of 1 or more).
    public let decimals: Int

    /// The ticks inside `lower...upper` at the smallest nice step that gives at most `maxCount` of them.
    ///
    /// Used when the axis limits are already chosen (data plus margin), as matplotlib does. A zero-width range is
    /// widened by one unit of its order of magnitude on each side so that equal values still get an axis.
    /// - Precondition: both bounds finite, `lower <= upper`, `maxCount >= 2`.
    public static func inside(_ lower: Double, _ upper: Double, maxCount: Int = 6) -> NiceTicks {
        compute(lower, upper, maxCount: maxCount, covering: false)
    }

    /// The ticks at the smallest nice step, at most `maxCount` of them, whose first and last enclose
    /// `lower...upper`; the axis is then stretched to those ends ("loose" labelling).
    /// - Precondition: both bounds finite, `lower <= upper`, `maxCount >= 3`.
    public static func covering(_ lower: Double, _ upper: Double, maxCount: Int = 6) -> NiceTicks {
        compute(lower, upper, maxCount: maxCount, covering: true)
    }

    /// The range used for ticks when the data has no extent: one order-of-magnitude unit either side.
    static func widened(_ lower: Double, _ upper: Double) -> (Double, Double) {
        guard lower == upper else { return (lower, upper) }
        let unit = lower == 0 ? 1 : powerOfTen(Int((log10(abs(lower))).rounded(.down)))
        return (lower - unit, upper + unit)
    }

    private static func compute(_ lo0: Double, _ hi0: Double, maxCount: Int, covering: Bool) -> NiceTicks {
        precondition(lo0.isFinite && hi0.isFinite && lo0 <= hi0, "tick range must be finite and ordered")
        // Two ticks cannot cover a range that straddles zero (zero is always a tick), so covering needs three.
        precondition(maxCount >= (covering ? 3 : 2), "too few ticks allowed to show a scale")
        let (lo, hi) = widened(lo0, hi0)
        var exponent = Int((log10((hi - lo) / Double(maxCount))).rounded(.down)) - 1
        while true {
            for mantissa in [1.0, 2.0, 5.0] {
                let step = scaled(mantissa, exponent)
                // Quotients like 0.0003 / 0.00005 come out a hair above or below an integer; a tolerance of a
                // billionth of the range keeps a bound that sits on a tick counted as on it.
                let eps = 1e-9 * (hi - lo) / step
                let first = covering ? (lo / step + eps).rounded(.down) : (lo / step - eps).rounded(.up)
                let last = covering ? (hi / step - eps).rounded(.up) : (hi / step + eps).rounded(.down)
                guard last - first + 1 <= Double(maxCount) else { continue }
                let values = stride(from: first, through: last, by: 1).map { scaled($0 * mantissa, exponent) + 0 }
                return NiceTicks(step: step, values: values, decimals: max(0, -exponent))
            }
            exponent += 1
        }
    }

    /// `m * 10^e`, dividing by an exact power of ten for negative `e` so the result is the nearest double to the
    /// decimal number (multiplying by an inexact 0.1 would not be).
    private static func scaled(_ m: Double, _ e: Int) -> Double {
        e >= 0 ? m * powerOfTen(e) : m / powerOfTen(-e)
    }

    private static func powerOfTen(_ e: Int) -> Double {
        var p = 1.0
        for _ in 0..<abs(e) { p *= 10 }
        return e >= 0 ? p : 1 / p
    }
}
