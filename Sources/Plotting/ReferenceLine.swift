/// How a line is stroked.
public enum LineStyle: Hashable, Sendable {
    /// A continuous line.
    case solid
    /// Long dashes, the usual look of a baseline.
    case dashed
    /// Short dots, for a second reference in the same panel.
    case dotted

    /// Cairo dash pattern in points (nil for solid).
    var dash: [Double]? {
        switch self {
        case .solid: return nil
        case .dashed: return [5, 3]
        case .dotted: return [1.2, 2]
        }
    }
}

/// A horizontal line across the plot at a fixed value, such as a baseline model's score, labelled on the line
/// itself so the reader does not need the legend for it.
public struct ReferenceLine: Hashable, Sendable {
    /// The y value; must be finite. The value axis always stretches to include it.
    public var value: Double
    /// Printed on the line, at its right end unless the data is in the way (see `draw`); empty for no label.
    public var label: String
    /// Dashed by default, so a reference reads differently from data.
    public var style: LineStyle
    /// Line and label colour; dark grey by default, so it does not compete with the series colours.
    public var colour: Colour

    /// A line at `value`, optionally labelled; `value` must be finite (checked at render time).
    public init(value: Double, label: String = "", style: LineStyle = .dashed, colour: Colour = .darkGrey) {
        self.value = value
        self.label = label
        self.style = style
        self.colour = colour
    }

    /// Draws the line and its label inside `plot`. The label sits at the right end above the line; where that would
    /// cover one of `data` (polylines in figure coordinates, markers included) or leave the plot, it moves below the
    /// line, then to the left end, keeping the first place that is clear (or else the first that fits).
    func draw(on canvas: CairoCanvas, plot: Rect, y: LinearScale, avoiding data: [[Point]] = []) {
        let ly = y(value)
        canvas.line(from: Point(x: plot.minX, y: ly), to: Point(x: plot.maxX, y: ly), colour, width: 1.2, dash: style.dash)
        guard !label.isEmpty else { return }
        let font = Theme.referenceLabel
        let size = canvas.measure(label, font)
        // (right end?, above the line?) in order of preference.
        let places = [(true, true), (true, false), (false, true), (false, false)].map { right, above -> Rect in
            let baseline = above ? ly - 2.5 - size.descent : ly + 2.5 + size.ascent
            let left = right ? plot.maxX - 4 - size.width : plot.minX + 4
            return Rect(x: left - 2, y: baseline - size.ascent, width: size.width + 4, height: size.height)
        }
        let fitting = places.filter { $0.minY >= plot.minY && $0.maxY <= plot.maxY }
        let clear = fitting.first { box in !Self.crosses(data, box.insetBy(-Theme.markerRadius)) }
        guard let box = clear ?? fitting.first ?? places.first else { return }
        // A translucent white backing keeps the label readable where it crosses a line or band.
        canvas.fill(box, Colour.white.withAlpha(0.75))
        canvas.text(label, at: Point(x: box.minX + 2, y: box.minY + size.ascent), font, colour, anchor: .init(.left, .baseline))
    }

    /// Whether any of the polylines touches `box`.
    static func crosses(_ polylines: [[Point]], _ box: Rect) -> Bool {
        polylines.contains { line in
            line.indices.contains { k in box.intersects(from: line[k], to: line[min(k + 1, line.count - 1)]) }
        }
    }
}
