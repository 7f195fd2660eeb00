import Foundation

/// How numbers on an axis (and on value labels) are written.
///
/// `decimals: nil` means "as many as the tick step needs", so a 0.05 step prints `0.15` and a 10 % step prints `20%`.
public enum TickFormat: Hashable, Sendable {
    /// The number itself, e.g. `0.125`; `signed` prefixes positive numbers with `+`.
    case plain(decimals: Int? = nil, signed: Bool = false)
    /// A fraction shown as a percentage: `0.25` prints as `25%`; `signed` prefixes positive numbers with `+`.
    case percent(decimals: Int? = nil, signed: Bool = false)

    /// `value` written in this format; `stepDecimals` is the decimal count of the tick step, used when the format
    /// leaves decimals open.
    public func string(for value: Double, stepDecimals: Int = 2) -> String {
        switch self {
        case let .plain(decimals, signed):
            return Self.fixed(value, decimals: decimals ?? stepDecimals, signed: signed)
        case let .percent(decimals, signed):
            return Self.fixed(value * 100, decimals: decimals ?? max(0, stepDecimals - 2), signed: signed) + "%"
        }
    }

    /// Fixed-point text that never shows "-0.0": a value that rounds to zero is written without a sign.
    private static func fixed(_ value: Double, decimals: Int, signed: Bool) -> String {
        let d = min(max(decimals, 0), 12)
        var text = String(format: "%.\(d)f", value)
        let isZero = !text.contains { ("1"..."9").contains($0) }
        if isZero, text.hasPrefix("-") { text.removeFirst() }
        if signed, !isZero, !text.hasPrefix("-") { text = "+" + text }
        return text
    }
}
