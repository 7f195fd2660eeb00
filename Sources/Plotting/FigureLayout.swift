/// Where the title, panels and legend of a figure go, and the figure's size; computed with a measuring canvas
/// before the real surface exists, because the surface size depends on the measured legend.
struct FigureLayout: Equatable {
    var width: Double
    var height: Double
    /// The title, one entry per line.
    var title: [PlacedText]
    var panels: [PanelLayout]
    /// The figure-wide legend (right or below); nil for none or per-panel legends.
    var legend: LegendLayout?
    /// Colour of every series name in the figure.
    var colours: [String: Colour]

    static func make(_ figure: Figure, measuring canvas: CairoCanvas) throws -> FigureLayout {
        let pad = Theme.outerPad
        // Unnamed series are coloured too (all alike): a plain bar chart should still use the palette.
        let names = figure.panels.flatMap(\.chart.seriesNames)
        let colours = figure.palette.assign(names, fixedAssignments: figure.seriesColours)
        var entries: [LegendEntry] = []
        for panel in figure.panels {
            for e in LegendEntry.entries(for: panel.chart, colours: colours) where !entries.contains(where: { $0.name == e.name }) {
                entries.append(e)
            }
        }

        let rows = (figure.panels.count + figure.columns - 1) / figure.columns
        let gridWidth = Double(figure.columns) * figure.panelWidth
        // A title wider than the grid first shrinks a little, then breaks between words.
        let titleFont = fitted(figure.title, Theme.figureTitle, within: gridWidth - 2 * pad, canvas, smallest: 0.85)
        let titleLines = figure.title.isEmpty ? [] : wrapped(figure.title, titleFont, within: gridWidth - 2 * pad, canvas)
        let lineHeight = canvas.measure(figure.title, titleFont).height * 1.15
        var title: [PlacedText] = []
        for (k, line) in titleLines.enumerated() {
            title.append(PlacedText(text: line, font: titleFont, at: Point(x: gridWidth / 2, y: pad + Double(k) * lineHeight)))
        }
        let titleHeight = titleLines.isEmpty ? 0 : Double(titleLines.count) * lineHeight + 2 * pad
        let gridHeight = Double(rows) * figure.panelHeight
        var width = gridWidth, height = titleHeight + gridHeight
        var legend: LegendLayout?
        if !entries.isEmpty {
            switch figure.legend {
            case .right:
                let size = LegendLayout.columnSize(entries, measuring: canvas)
                let origin = Point(x: gridWidth, y: titleHeight + max((gridHeight - size.height) / 2, 0))
                legend = LegendLayout.column(entries, at: origin, boxed: false, measuring: canvas)
                width += size.width + pad
                height = max(height, titleHeight + size.height)
            case .below:
                legend = LegendLayout.rows(
                    entries, centreX: gridWidth / 2, top: height, maxWidth: gridWidth - 2 * pad, measuring: canvas)
                height += legend!.frame.height + pad
            case .none, .inside:
                break
            }
        }

        var panels: [PanelLayout] = []
        for (i, panel) in figure.panels.enumerated() {
            let frame = Rect(
                x: Double(i % figure.columns) * figure.panelWidth,
                y: titleHeight + Double(i / figure.columns) * figure.panelHeight,
                width: figure.panelWidth, height: figure.panelHeight)
            var layout = try PanelLayout.make(panel, in: frame, measuring: canvas)
            if case .inside(let corner) = figure.legend {
                let own = LegendEntry.entries(for: panel.chart, colours: colours)
                if !own.isEmpty { layout.legend = .inside(own, corner: corner, plot: layout.plot, measuring: canvas) }
            }
            panels.append(layout)
        }
        // Whole points keep the PNG's pixel size an exact multiple of the scale.
        return FigureLayout(
            width: width.rounded(.up), height: height.rounded(.up),
            title: title, panels: panels, legend: legend,
            colours: colours)
    }
}

/// `text` broken between words into lines no wider than `width` (a single word wider than that gets a line of its own).
func wrapped(_ text: String, _ font: Font, within width: Double, _ canvas: CairoCanvas) -> [String] {
    var lines: [String] = [], current = ""
    for word in text.split(separator: " ") {
        let candidate = current.isEmpty ? String(word) : current + " " + word
        if current.isEmpty || canvas.measure(candidate, font).width <= width {
            current = candidate
        } else {
            lines.append(current)
            current = String(word)
        }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}
