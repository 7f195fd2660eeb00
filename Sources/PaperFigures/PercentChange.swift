import Foundation

/// The relative change of `value` over `base` in percent, 100 (value - base) / base: how the paper states a method's
/// gain over the Student or over the best baseline. O(1).
///
/// A `base` of zero gives an infinite or NaN change; `percentChangeText` shows those as "-".
public func percentChange(_ value: Double, over base: Double) -> Double {
    100 * (value - base) / base
}

/// `percentChange(value, over: base)` as the tables print it: signed, one decimal, a percent sign ("+3.7%",
/// "-12.0%", "+0.0%"); "-" when `base` is not positive, where a relative change means nothing. O(1).
public func percentChangeText(_ value: Double, over base: Double) -> String {
    base > 0 ? String(format: "%+.1f%%", percentChange(value, over: base)) : "-"
}
