import Foundation

/// How the value printed at the end of each bar is set: its text format and whether it must stand upright
/// (rotated 90 degrees) because it is wider than its bar.
struct ValueLabels: Equatable {
    var format: TickFormat
    var stepDecimals: Int
    var rotated: Bool
    /// Vertical room the tallest label needs beyond a bar's end, so the value axis can leave that much space.
    var extent: Double

    static let font = Theme.valueLabel
    static let offset = 2.5

    /// Chooses the decimals and orientation for `values` printed in `format` over bars `barWidth` points wide;
    /// `tickDecimals` is the decimal count of the value axis' tick step.
    init(values: [Double], format: TickFormat, tickDecimals: Int, barWidth: Double, measuring canvas: CairoCanvas) {
        self.format = format
        let stepDecimals = Self.decimals(for: values, atLeast: tickDecimals)
        self.stepDecimals = stepDecimals
        let sizes = values.map { canvas.measure(format.string(for: $0, stepDecimals: stepDecimals), Self.font) }
        let widest = sizes.map(\.width).max() ?? 0
        let height = sizes.first?.height ?? 0
        rotated = widest > barWidth - 1
        extent = (rotated ? widest : height) + Self.offset + 1
    }

    /// Values are usually finer than the ticks (2.25 on an axis stepping by 0.5), so labels get up to two more
    /// decimals than the ticks: the fewest that print every value exactly, or one more than the ticks if none do.
    static func decimals(for values: [Double], atLeast base: Int) -> Int {
        func exact(_ d: Int) -> Bool {
            let p = (0..<d).reduce(1.0) { r, _ in r * 10 }
            return values.allSatisfy { abs(($0 * p).rounded() - $0 * p) <= 1e-6 * max(1, abs($0 * p)) }
        }
        return (base...(base + 2)).first(where: exact) ?? base + 1
    }

    func text(_ value: Double) -> String { format.string(for: value, stepDecimals: stepDecimals) }

    /// Prints `value` just beyond the end of `bar`: above a positive bar, below a negative one.
    func draw(_ value: Double, bar: Rect, on canvas: CairoCanvas) {
        let up = value >= 0
        let at = Point(x: bar.midX, y: up ? bar.minY - Self.offset : bar.maxY + Self.offset)
        if rotated {
            canvas.text(
                text(value), at: at, Self.font, Theme.text, anchor: .init(up ? .left : .right, .middle),
                angle: -Double.pi / 2)
        } else {
            canvas.text(text(value), at: at, Self.font, Theme.text, anchor: .init(.centre, up ? .bottom : .top))
        }
    }
}
