/// One labelled tick: its data value and the text printed for it.
struct AxisTick: Equatable {
    var value: Double
    var label: String
}

/// The value (y) axis of a panel: limits and ticks.
struct ValueAxis: Equatable {
    var lower: Double
    var upper: Double
    var ticks: NiceTicks

    /// Limits that show all of `panel`'s data in a plot `plotHeight` points tall, leaving `room` points beyond the
    /// ends of bars for value labels.
    ///
    /// Bars keep zero on the axis and get a margin only on the side they grow towards (as matplotlib does); lines
    /// get a margin on both sides so markers never sit on the frame.
    static func fit(_ panel: Panel, plotHeight: Double, room: (top: Double, bottom: Double)) -> ValueAxis {
        let maxTicks = min(max(Int(plotHeight / 22) + 1, 3), 9)
        if let limits = panel.yLimits {
            return ValueAxis(
                lower: limits.lowerBound, upper: limits.upperBound,
                ticks: .inside(limits.lowerBound, limits.upperBound, maxCount: maxTicks))
        }
        let extent = panel.valueExtent
        var lower: Double, upper: Double
        switch panel.chart {
        case .barChart:
            var (a, b) = extent
            if a == b { b = 1 }
            var top = (b > 0 ? Theme.dataMargin : 0) + room.top / plotHeight
            var bottom = (a < 0 ? Theme.dataMargin : 0) + room.bottom / plotHeight
            // Tiny plots cannot honour every pixel request; keep at least 40 % of the height for the data.
            if top + bottom > 0.6 {
                let shrink = 0.6 / (top + bottom)
                top *= shrink
                bottom *= shrink
            }
            let span = (b - a) / (1 - top - bottom)
            (lower, upper) = (a - span * bottom, b + span * top)
        case .lineChart:
            let (a, b) = NiceTicks.widened(extent.lower, extent.upper)
            let margin = (b - a) * Theme.dataMargin
            (lower, upper) = (a - margin, b + margin)
        }
        return ValueAxis(lower: lower, upper: upper, ticks: .inside(lower, upper, maxCount: maxTicks))
    }
}

/// Nice x ticks for a line chart that leave room between neighbouring labels: the most ticks (at most ten) whose
/// labels do not crowd each other; or the caller's ticks that fall inside the axis.
func numericTicks(
    lower: Double, upper: Double, width: Double, format: TickFormat, fixed: [Double]?, measuring canvas: CairoCanvas
) -> [AxisTick] {
    if let fixed {
        let inside = fixed.filter { $0 >= lower && $0 <= upper }
        let decimals = (0...6).first { d in inside.allSatisfy { abs(($0 * pow10(d)).rounded() - $0 * pow10(d)) < 1e-6 } } ?? 6
        return inside.map { AxisTick(value: $0, label: format.string(for: $0, stepDecimals: decimals)) }
    }
    var best: [AxisTick] = []
    for count in stride(from: 10, through: 2, by: -1) {
        let ticks = NiceTicks.inside(lower, upper, maxCount: count)
        let labelled = ticks.values.map { AxisTick(value: $0, label: format.string(for: $0, stepDecimals: ticks.decimals)) }
        best = labelled
        let widths = labelled.map { canvas.measure($0.label, Theme.tickLabel).width }
        let spacing = width * ticks.step / (upper - lower)
        if zip(widths, widths.dropFirst()).allSatisfy({ spacing >= ($0 + $1) / 2 + 8 }) { break }
    }
    return best
}

private func pow10(_ d: Int) -> Double { (0..<d).reduce(1.0) { p, _ in p * 10 } }

/// Draws the frame, grid, ticks and tick labels of one panel; the data is drawn separately between grid and frame.
enum AxisPainter {
    static func grid(_ layout: PanelLayout, on canvas: CairoCanvas) {
        for t in layout.yTicks {
            let y = layout.yScale(t.value)
            canvas.line(from: Point(x: layout.plot.minX, y: y), to: Point(x: layout.plot.maxX, y: y), Theme.grid, width: Theme.gridWidth)
        }
        if case .numeric(let x, let ticks) = layout.x {
            for t in ticks {
                let px = x(t.value)
                canvas.line(from: Point(x: px, y: layout.plot.minY), to: Point(x: px, y: layout.plot.maxY), Theme.grid, width: Theme.gridWidth)
            }
        }
    }

    static func frameAndLabels(_ layout: PanelLayout, on canvas: CairoCanvas) {
        let p = layout.plot
        let t = Theme.tickLength
        let corners = [Point(x: p.minX, y: p.minY), Point(x: p.maxX, y: p.minY), Point(x: p.maxX, y: p.maxY), Point(x: p.minX, y: p.maxY)]
        for i in 0..<4 {
            canvas.line(from: corners[i], to: corners[(i + 1) % 4], Theme.axis, width: Theme.spineWidth)
        }
        for tick in layout.yTicks {
            let y = layout.yScale(tick.value)
            canvas.line(from: Point(x: p.minX - t, y: y), to: Point(x: p.minX, y: y), Theme.axis, width: Theme.tickWidth)
            canvas.text(
                tick.label, at: Point(x: p.minX - t - 2.5, y: y), Theme.tickLabel, Theme.text, anchor: .init(.right, .middle))
        }
        let labelTop = p.maxY + t + 2.5
        switch layout.x {
        case let .numeric(x, ticks):
            for tick in ticks {
                let px = x(tick.value)
                canvas.line(from: Point(x: px, y: p.maxY), to: Point(x: px, y: p.maxY + t), Theme.axis, width: Theme.tickWidth)
                canvas.text(tick.label, at: Point(x: px, y: labelTop), Theme.tickLabel, Theme.text, anchor: .init(.centre, .top))
            }
        case let .categories(labels):
            let slot = p.width / Double(labels.lines.count)
            for i in labels.lines.indices {
                let px = p.minX + (Double(i) + 0.5) * slot
                canvas.line(from: Point(x: px, y: p.maxY), to: Point(x: px, y: p.maxY + t), Theme.axis, width: Theme.tickWidth)
                labels.draw(i, top: Point(x: px, y: labelTop), on: canvas)
            }
        }
        canvas.text(layout.xLabel.text, at: layout.xLabel.at, layout.xLabel.font, Theme.text, anchor: .init(.centre, .top))
        canvas.text(
            layout.yLabel.text, at: layout.yLabel.at, layout.yLabel.font, Theme.text, anchor: .init(.centre, .top),
            angle: -Double.pi / 2)
        canvas.text(layout.title.text, at: layout.title.at, layout.title.font, Theme.text, anchor: .init(.centre, .top))
    }
}
