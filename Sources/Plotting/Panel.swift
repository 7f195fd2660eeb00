/// What a panel plots.
public enum Chart: Hashable, Sendable {
    /// Bars over categories (plain or grouped).
    case barChart(BarChart)
    /// Lines over a numeric x axis.
    case lineChart(LineChart)

    /// A plain bar chart: one bar per category.
    public static func bars(categories: [String], values: [Double], name: String = "") -> Chart {
        .barChart(BarChart(categories: categories, series: [BarSeries(name: name, values: values)]))
    }

    /// Grouped bars: in each category, one bar per series, side by side in series order.
    public static func groupedBars(categories: [String], series: [BarSeries]) -> Chart {
        .barChart(BarChart(categories: categories, series: series))
    }

    /// Lines over a numeric x axis.
    public static func lines(_ series: [LineSeries]) -> Chart {
        .lineChart(LineChart(series: series))
    }

    /// Every bar value (empty for line charts), to know on which sides of zero value labels need room.
    var barValues: [Double] {
        if case .barChart(let c) = self { return c.series.flatMap(\.values) }
        return []
    }

    /// Series names in drawing order, for colour assignment and the legend.
    var seriesNames: [String] {
        switch self {
        case .barChart(let c): return c.series.map(\.name)
        case .lineChart(let c): return c.series.map(\.name)
        }
    }
}

/// One plot in a figure's grid: a chart with its title, axis labels, tick formats and reference lines.
public struct Panel: Hashable, Sendable {
    /// Shown bold above the plot; also names the panel in error messages.
    public var title: String
    /// Label under the x axis; empty for none.
    public var xLabel: String
    /// Label left of the y axis, set vertically; empty for none.
    public var yLabel: String
    /// Format of numeric x tick labels (line charts only).
    public var xFormat: TickFormat
    /// Format of y tick labels, and of bar value labels unless `valueFormat` is set.
    public var yFormat: TickFormat
    /// Fixed y axis limits; nil to fit the data (with zero included for bars).
    public var yLimits: ClosedRange<Double>?
    /// Fixed x tick positions for line charts (e.g. every K); nil to pick nice ticks that fit.
    public var xTicks: [Double]?
    /// The data and chart kind.
    public var chart: Chart
    /// Horizontal lines drawn over the data, e.g. a baseline's score.
    public var referenceLines: [ReferenceLine]
    /// Print each bar's value at its end (bar charts only).
    public var valueLabels: Bool
    /// Format for value labels; nil to use `yFormat`.
    public var valueFormat: TickFormat?

    /// A panel showing `chart`; every other setting has a default that suits the paper's figures.
    public init(
        title: String = "", xLabel: String = "", yLabel: String = "", xFormat: TickFormat = .plain(),
        yFormat: TickFormat = .plain(), yLimits: ClosedRange<Double>? = nil, xTicks: [Double]? = nil,
        chart: Chart, referenceLines: [ReferenceLine] = [], valueLabels: Bool = false, valueFormat: TickFormat? = nil
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xFormat = xFormat
        self.yFormat = yFormat
        self.yLimits = yLimits
        self.xTicks = xTicks
        self.chart = chart
        self.referenceLines = referenceLines
        self.valueLabels = valueLabels
        self.valueFormat = valueFormat
    }

    /// Throws a descriptive `PlotError` for the first unusable input: empty or mismatched series, non-finite
    /// numbers, duplicate series names, or invalid limits.
    public func validate() throws {
        switch chart {
        case .barChart(let c): try c.validate(panel: title)
        case .lineChart(let c): try c.validate(panel: title)
        }
        var seen = Set<String>()
        for name in chart.seriesNames where !name.isEmpty {
            guard seen.insert(name).inserted else {
                throw PlotError.invalidArgument(
                    "Panel \"\(title)\" has two series named \"\(name)\"; names must be unique because they key colours.")
            }
        }
        for (i, line) in referenceLines.enumerated() where !line.value.isFinite {
            throw PlotError.nonFiniteValue(panel: title, series: line.label, what: "reference line", index: i, value: line.value)
        }
        if let limits = yLimits {
            guard limits.lowerBound.isFinite, limits.upperBound.isFinite, limits.lowerBound < limits.upperBound else {
                throw PlotError.invalidArgument(
                    "Panel \"\(title)\" has y limits \(limits); they must be finite with lower < upper.")
            }
        }
        if let ticks = xTicks, let i = ticks.firstIndex(where: { !$0.isFinite }) {
            throw PlotError.nonFiniteValue(panel: title, series: "", what: "x tick", index: i, value: ticks[i])
        }
    }

    /// The smallest and largest y the axis must show: data (bars from zero) and reference lines.
    var valueExtent: (lower: Double, upper: Double) {
        var e: (lower: Double, upper: Double)
        switch chart {
        case .barChart(let c): e = c.valueExtent
        case .lineChart(let c): e = c.valueExtent
        }
        for r in referenceLines { e = (min(e.lower, r.value), max(e.upper, r.value)) }
        return e
    }
}
