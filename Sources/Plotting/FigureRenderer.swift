/// Draws a laid-out figure onto a canvas, back to front: background, grid, data, frame and text, legends.
struct FigureRenderer {
    let figure: Figure
    let layout: FigureLayout

    func draw(on canvas: CairoCanvas) {
        canvas.fill(Rect(x: 0, y: 0, width: layout.width, height: layout.height), .white)
        for line in layout.title { canvas.text(line.text, at: line.at, line.font, Theme.text, anchor: .init(.centre, .top)) }
        for (panel, panelLayout) in zip(figure.panels, layout.panels) {
            drawPanel(panel, panelLayout, on: canvas)
        }
        layout.legend?.draw(on: canvas)
    }

    private func drawPanel(_ panel: Panel, _ l: PanelLayout, on canvas: CairoCanvas) {
        AxisPainter.grid(l, on: canvas)
        switch (panel.chart, l.x) {
        case (.barChart(let chart), _):
            canvas.clipped(to: l.plot) { chart.draw(on: canvas, plot: l.plot, y: l.yScale, colours: layout.colours) }
            if let labels = l.valueLabels { chart.drawValueLabels(labels, on: canvas, plot: l.plot, y: l.yScale) }
        case (.lineChart(let chart), .numeric(let x, _)):
            // Markers may poke a few points past the data area; lines and bands may not leave it much further.
            canvas.clipped(to: l.plot.insetBy(-Theme.markerRadius - 1)) {
                chart.draw(on: canvas, x: x, y: l.yScale, colours: layout.colours)
            }
        case (.lineChart, .categories):
            break
        }
        var data: [[Point]] = []
        if case (.lineChart(let chart), .numeric(let x, _)) = (panel.chart, l.x) { data = chart.polylines(x: x, y: l.yScale) }
        canvas.clipped(to: l.plot) {
            for line in panel.referenceLines { line.draw(on: canvas, plot: l.plot, y: l.yScale, avoiding: data) }
        }
        AxisPainter.frameAndLabels(l, on: canvas)
        l.legend?.draw(on: canvas)
    }
}
