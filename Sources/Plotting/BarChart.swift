/// One named set of bar heights, one value per category of its chart.
public struct BarSeries: Hashable, Sendable {
    /// Legend text and the key of the series' colour; an empty name keeps the series out of the legend.
    public var name: String
    /// One finite value per category, in category order; negative values draw downwards from zero.
    public var values: [Double]

    /// A series named `name` with one value per category; checked against its chart's categories at render time.
    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// Bars over named categories. With one series it is a plain bar chart; with several, each category holds a group
/// of side-by-side bars in series order, and a zero line separates positive from negative values.
public struct BarChart: Hashable, Sendable {
    /// The x-axis labels, left to right; long labels are wrapped, shrunk or slanted to avoid overlaps.
    public var categories: [String]
    /// Drawn in order within each group, so the first series is leftmost.
    public var series: [BarSeries]

    /// A chart whose every series must have exactly `categories.count` finite values (checked at render time).
    public init(categories: [String], series: [BarSeries]) {
        self.categories = categories
        self.series = series
    }

    /// Throws the first problem that would make the chart meaningless: no categories, no series, a series whose
    /// length differs from the categories', or a non-finite value.
    func validate(panel: String) throws {
        guard !series.isEmpty else { throw PlotError.emptySeries(panel: panel, series: nil) }
        guard !categories.isEmpty else {
            throw PlotError.invalidArgument("Panel \"\(panel)\" has bar series but no categories to place them at.")
        }
        for s in series {
            guard !s.values.isEmpty else { throw PlotError.emptySeries(panel: panel, series: s.name) }
            guard s.values.count == categories.count else {
                throw PlotError.lengthMismatch(
                    panel: panel, series: s.name, expected: "categories", expectedCount: categories.count,
                    actual: "values", actualCount: s.values.count)
            }
            if let i = s.values.firstIndex(where: { !$0.isFinite }) {
                throw PlotError.nonFiniteValue(panel: panel, series: s.name, what: "bar", index: i, value: s.values[i])
            }
        }
    }

    /// The smallest and largest value, with zero always included because bars grow from zero.
    var valueExtent: (lower: Double, upper: Double) {
        let all = series.flatMap(\.values)
        return (min(0, all.min() ?? 0), max(0, all.max() ?? 0))
    }

    /// The rectangle of series `s`'s bar in category `i`, given the plot's category slots and value scale.
    func barRect(series s: Int, category i: Int, plot: Rect, y: LinearScale) -> Rect {
        let slot = plot.width / Double(categories.count)
        let group = slot * Theme.groupFraction
        let barWidth = group / Double(series.count)
        let left = plot.minX + (Double(i) + 0.5) * slot - group / 2 + Double(s) * barWidth
        let top = y(max(series[s].values[i], 0)), bottom = y(min(series[s].values[i], 0))
        return Rect(x: left, y: top, width: barWidth, height: bottom - top)
    }

    /// The width of one bar in a plot `plotWidth` points wide.
    func barWidth(plotWidth: Double) -> Double {
        plotWidth / Double(categories.count) * Theme.groupFraction / Double(series.count)
    }

    /// Draws the bars, and a zero line when the axis spans both signs so that up and down read at a glance.
    func draw(on canvas: CairoCanvas, plot: Rect, y: LinearScale, colours: [String: Colour]) {
        for (s, series) in series.enumerated() {
            let colour = colours[series.name] ?? Theme.axis
            for i in categories.indices {
                let bar = canvas.snap(barRect(series: s, category: i, plot: plot, y: y))
                // A hairline of white between touching bars keeps neighbouring colours apart.
                canvas.fill(Rect(x: bar.x + 0.25, y: bar.y, width: max(bar.width - 0.5, 0.5), height: bar.height), colour)
            }
        }
        if y.domain.lower < 0 && y.domain.upper > 0 {
            canvas.line(from: Point(x: plot.minX, y: y(0)), to: Point(x: plot.maxX, y: y(0)), Theme.zeroLine, width: 0.9)
        }
    }

    /// Prints every bar's value at its end; drawn after (and outside) the plot clip so labels may use the margin.
    func drawValueLabels(_ labels: ValueLabels, on canvas: CairoCanvas, plot: Rect, y: LinearScale) {
        for (s, series) in series.enumerated() {
            for (i, v) in series.values.enumerated() {
                labels.draw(v, bar: barRect(series: s, category: i, plot: plot, y: y), on: canvas)
            }
        }
    }
}
