/// The symbol drawn at each data point of a line series.
///
/// Different shapes let series be told apart without relying on colour alone.
public enum Marker: Hashable, Sendable, CaseIterable {
    /// A filled circle (the default).
    case circle
    /// A filled square.
    case square
    /// A filled upward triangle.
    case triangle
    /// A filled diamond.
    case diamond
    /// No marker: the line alone.
    case none
}

/// A shaded interval around a line, such as mean plus or minus a confidence half-width.
public struct Band: Hashable, Sendable {
    /// Lower edge, one finite value per point of the line.
    public var lower: [Double]
    /// Upper edge, one finite value per point of the line.
    public var upper: [Double]

    /// A band from `lower[i]` to `upper[i]` at each point; lengths are checked against the line at render time.
    public init(lower: [Double], upper: [Double]) {
        self.lower = lower
        self.upper = upper
    }
}

/// One named line: points `(x[i], y[i])` joined in order, with markers and an optional band.
public struct LineSeries: Hashable, Sendable {
    /// Legend text and the key of the series' colour; an empty name keeps the series out of the legend.
    public var name: String
    /// Finite x positions, in drawing order (not required to be sorted).
    public var x: [Double]
    /// Finite y values, one per x.
    public var y: [Double]
    /// Optional shaded interval drawn under the line in its colour.
    public var band: Band?
    /// Symbol at each point; vary it between series so they stay apart in greyscale.
    public var marker: Marker
    /// Dashed lines distinguish a series without colour, e.g. a baseline drawn as a line.
    public var dashed: Bool

    /// A line through `(x[i], y[i])`; `x` and `y` (and the band's edges) must have the same length.
    public init(name: String, x: [Double], y: [Double], band: Band? = nil, marker: Marker = .circle, dashed: Bool = false) {
        self.name = name
        self.x = x
        self.y = y
        self.band = band
        self.marker = marker
        self.dashed = dashed
    }

    /// A line whose x values are 1, 2, ..., y.count (e.g. a cut-off K).
    public init(name: String, y: [Double], band: Band? = nil, marker: Marker = .circle, dashed: Bool = false) {
        self.init(name: name, x: y.indices.map { Double($0 + 1) }, y: y, band: band, marker: marker, dashed: dashed)
    }

    func validate(panel: String) throws {
        guard !y.isEmpty else { throw PlotError.emptySeries(panel: panel, series: name) }
        guard x.count == y.count else {
            throw PlotError.lengthMismatch(
                panel: panel, series: name, expected: "x values", expectedCount: x.count, actual: "y values",
                actualCount: y.count)
        }
        var arrays = [("x", x), ("y", y)]
        if let band {
            for (label, edge) in [("band lower", band.lower), ("band upper", band.upper)] where edge.count != y.count {
                throw PlotError.lengthMismatch(
                    panel: panel, series: name, expected: "y values", expectedCount: y.count, actual: label + " values",
                    actualCount: edge.count)
            }
            arrays += [("band lower", band.lower), ("band upper", band.upper)]
        }
        for (label, values) in arrays {
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw PlotError.nonFiniteValue(panel: panel, series: name, what: label, index: i, value: values[i])
            }
        }
    }
}

/// Lines over a numeric x axis, each with markers and an optional shaded band.
public struct LineChart: Hashable, Sendable {
    /// Drawn in order, so later series lie on top (bands are all drawn first so they never hide a line).
    public var series: [LineSeries]

    /// A chart of `series`; at least one is required at render time.
    public init(series: [LineSeries]) { self.series = series }

    func validate(panel: String) throws {
        guard !series.isEmpty else { throw PlotError.emptySeries(panel: panel, series: nil) }
        for s in series { try s.validate(panel: panel) }
    }

    /// Smallest and largest y, band edges included.
    var valueExtent: (lower: Double, upper: Double) {
        let all = series.flatMap { $0.y + ($0.band?.lower ?? []) + ($0.band?.upper ?? []) }
        return (all.min() ?? 0, all.max() ?? 1)
    }

    var xExtent: (lower: Double, upper: Double) {
        let all = series.flatMap(\.x)
        return (all.min() ?? 0, all.max() ?? 1)
    }

    /// Each series' points in figure coordinates, for labels that must keep clear of the data.
    func polylines(x: LinearScale, y: LinearScale) -> [[Point]] {
        series.map { s in s.x.indices.map { Point(x: x(s.x[$0]), y: y(s.y[$0])) } }
    }

    func draw(on canvas: CairoCanvas, x: LinearScale, y: LinearScale, colours: [String: Colour]) {
        for s in series {
            guard let band = s.band else { continue }
            let upper = s.x.indices.map { Point(x: x(s.x[$0]), y: y(band.upper[$0])) }
            let lower = s.x.indices.reversed().map { Point(x: x(s.x[$0]), y: y(band.lower[$0])) }
            canvas.fillPolygon(upper + lower, (colours[s.name] ?? Theme.axis).withAlpha(Theme.bandAlpha))
        }
        for (s, points) in zip(series, polylines(x: x, y: y)) {
            let colour = colours[s.name] ?? Theme.axis
            canvas.polyline(points, colour, width: Theme.lineWidth, dash: s.dashed ? [5, 3] : nil)
            for p in points { drawMarker(s.marker, at: p, colour, on: canvas) }
        }
    }
}

/// Draws `marker` centred on `p` with a thin white rim, so overlapping markers of different series stay separable.
func drawMarker(_ marker: Marker, at p: Point, _ colour: Colour, on canvas: CairoCanvas, radius r: Double = Theme.markerRadius) {
    let rim = 0.8
    switch marker {
    case .none:
        return
    case .circle:
        canvas.fillCircle(centre: p, radius: r + rim, .white)
        canvas.fillCircle(centre: p, radius: r, colour)
    case .square, .diamond, .triangle:
        for (radius, c) in [(r + rim, Colour.white), (r, colour)] {
            canvas.fillPolygon(markerOutline(marker, at: p, radius: radius), c)
        }
    }
}

private func markerOutline(_ marker: Marker, at p: Point, radius r: Double) -> [Point] {
    switch marker {
    case .square:
        let h = r * 0.9
        return [Point(x: p.x - h, y: p.y - h), Point(x: p.x + h, y: p.y - h), Point(x: p.x + h, y: p.y + h), Point(x: p.x - h, y: p.y + h)]
    case .diamond:
        let h = r * 1.25
        return [Point(x: p.x, y: p.y - h), Point(x: p.x + h, y: p.y), Point(x: p.x, y: p.y + h), Point(x: p.x - h, y: p.y)]
    default:
        let h = r * 1.3
        return [Point(x: p.x, y: p.y - h), Point(x: p.x + h * 0.95, y: p.y + h * 0.6), Point(x: p.x - h * 0.95, y: p.y + h * 0.6)]
    }
}
