/// The horizontal axis of a panel: named category slots (bars) or a numeric scale (lines).
enum XAxisLayout: Equatable {
    case categories(CategoryLabels)
    case numeric(LinearScale, [AxisTick])
}

/// Where everything in one panel goes, decided before drawing so that margins fit the measured text.
struct PanelLayout: Equatable {
    var frame: Rect
    /// The data area, inside the axes frame.
    var plot: Rect
    var yScale: LinearScale
    var yTicks: [AxisTick]
    var x: XAxisLayout
    /// Title and axis labels, each already shrunk (if need be) to fit its room, with where to put it.
    var title: PlacedText
    var xLabel: PlacedText
    var yLabel: PlacedText
    var valueLabels: ValueLabels?
    /// Decimal count of the y tick step, reused to print bar values consistently with the axis.
    var yTickDecimals: Int
    var legend: LegendLayout?

    /// Lays out `panel` in `frame`.
    ///
    /// Margins depend on tick labels, whose values depend on the plot size the margins leave; a few rounds of
    /// "guess the plot size, measure the labels, recompute the margins" settle this (two usually suffice).
    /// - Throws: `PlotError.invalidArgument` if the labels leave no usable room for the data.
    static func make(_ panel: Panel, in frame: Rect, measuring canvas: CairoCanvas) throws -> PanelLayout {
        let pad = Theme.outerPad, gap = Theme.gap, t = Theme.tickLength
        let tickText = canvas.measure("0", Theme.tickLabel)
        let axisText = canvas.measure("Ag", Theme.axisLabel)
        let titleFont = fitted(panel.title, Theme.panelTitle, within: frame.width - 2 * pad, canvas)
        let titleHeight = panel.title.isEmpty ? 0 : canvas.measure(panel.title, titleFont).height + gap
        let top = pad + titleHeight + tickText.height / 2
        let yLabelWidth = panel.yLabel.isEmpty ? 0 : axisText.height + gap
        let xLabelHeight = panel.xLabel.isEmpty ? 0 : axisText.height + gap

        var plot = Rect(x: frame.minX + 50, y: frame.minY + top, width: frame.width - 60, height: frame.height - top - 40)
        var layout: PanelLayout?
        for _ in 0..<5 {
            let labels = valueLabels(panel, plotWidth: plot.width, stepDecimals: layout?.yTickDecimals, canvas)
            let values = panel.chart.barValues
            let room = (
                top: values.contains { $0 >= 0 } ? labels?.extent ?? 0 : 0,
                bottom: values.contains { $0 < 0 } ? labels?.extent ?? 0 : 0)
            let axis = ValueAxis.fit(panel, plotHeight: plot.height, room: room)
            let yTicks = axis.ticks.values.map { AxisTick(value: $0, label: panel.yFormat.string(for: $0, stepDecimals: axis.ticks.decimals)) }
            let yTickWidth = yTicks.map { canvas.measure($0.label, Theme.tickLabel).width }.max() ?? 0
            var left = pad + yLabelWidth + yTickWidth + 2.5 + t
            var right = pad + 4
            let xAxis: XAxisLayout
            let xTickHeight: Double
            switch panel.chart {
            case .barChart(let c):
                let slot = plot.width / Double(c.categories.count)
                let cats = CategoryLabels.fit(c.categories, slotWidth: slot, measuring: canvas)
                left = max(left, pad + cats.leftReach - slot / 2)
                xAxis = .categories(cats)
                xTickHeight = cats.height
            case .lineChart(let c):
                let (a, b) = NiceTicks.widened(c.xExtent.lower, c.xExtent.upper)
                let margin = (b - a) * Theme.dataMargin * 0.8
                let scale = LinearScale(domain: (a - margin, b + margin), range: (plot.minX, plot.maxX))
                let ticks = numericTicks(
                    lower: a - margin, upper: b + margin, width: plot.width, format: panel.xFormat, fixed: panel.xTicks,
                    measuring: canvas)
                if let last = ticks.last {
                    let overhang = scale(last.value) + canvas.measure(last.label, Theme.tickLabel).width / 2 - plot.maxX
                    right = max(right, overhang + 2)
                }
                xAxis = .numeric(scale, ticks)
                xTickHeight = tickText.height
            }
            let bottom = t + 2.5 + xTickHeight + xLabelHeight + pad
            let next = Rect(
                x: frame.minX + left, y: frame.minY + top, width: frame.width - left - right, height: frame.height - top - bottom)
            guard next.width >= 20, next.height >= 20 else {
                throw PlotError.invalidArgument(
                    "Panel \"\(panel.title)\" is too small for its labels (\(Int(frame.width))x\(Int(frame.height)) points); "
                        + "enlarge the panel size or shorten the labels.")
            }
            let yScale = LinearScale(domain: (axis.lower, axis.upper), range: (plot.maxY, plot.minY))
            let xLabelFont = fitted(panel.xLabel, Theme.axisLabel, within: frame.width - 2 * pad, canvas)
            // The y label runs along the plot's height; beyond it, it would collide with the panel above or below.
            let yLabelFont = fitted(panel.yLabel, Theme.axisLabel, within: plot.height + tickText.height, canvas)
            layout = PanelLayout(
                frame: frame, plot: plot, yScale: yScale, yTicks: yTicks, x: xAxis,
                title: .centred(panel.title, titleFont, over: plot.midX, top: frame.minY + pad, in: frame, canvas),
                xLabel: .centred(
                    panel.xLabel, xLabelFont, over: plot.midX, top: plot.maxY + t + 2.5 + xTickHeight + gap, in: frame, canvas),
                yLabel: PlacedText(text: panel.yLabel, font: yLabelFont, at: Point(x: frame.minX + pad, y: plot.midY)),
                valueLabels: labels, yTickDecimals: axis.ticks.decimals, legend: nil)
            if next == plot { break }
            plot = next
        }
        return layout!
    }

    /// Value-label settings for a bar panel that asks for them; nil otherwise.
    private static func valueLabels(_ panel: Panel, plotWidth: Double, stepDecimals: Int?, _ canvas: CairoCanvas) -> ValueLabels? {
        guard panel.valueLabels, case .barChart(let c) = panel.chart else { return nil }
        let decimals = stepDecimals ?? NiceTicks.inside(panel.valueExtent.lower, panel.valueExtent.upper).decimals
        return ValueLabels(
            values: c.series.flatMap(\.values), format: panel.valueFormat ?? panel.yFormat, tickDecimals: decimals,
            barWidth: c.barWidth(plotWidth: plotWidth), measuring: canvas)
    }
}

/// A single line of text with its font and anchor point (top centre for horizontal text, top middle of the
/// rotated text for the y label).
struct PlacedText: Equatable {
    var text: String
    var font: Font
    var at: Point

    /// Centred over `x` when that keeps the text inside `frame`, otherwise pushed in just far enough: a long title
    /// over an off-centre plot must not spill into the neighbouring panel.
    static func centred(_ text: String, _ font: Font, over x: Double, top: Double, in frame: Rect, _ canvas: CairoCanvas) -> PlacedText {
        let half = canvas.measure(text, font).width / 2
        let lo = frame.minX + Theme.outerPad + half, hi = frame.maxX - Theme.outerPad - half
        let cx = lo <= hi ? min(max(x, lo), hi) : frame.midX
        return PlacedText(text: text, font: font, at: Point(x: cx, y: top))
    }
}

/// `font`, shrunk (to no less than `smallest` of its size) so that `text` fits in `width`; text that still does not
/// fit keeps the smallest size rather than becoming unreadable.
func fitted(_ text: String, _ font: Font, within width: Double, _ canvas: CairoCanvas, smallest: Double = 0.7) -> Font {
    let natural = canvas.measure(text, font).width
    guard natural > width, natural > 0 else { return font }
    return font.scaled(max(width / natural, smallest))
}
