import XCTest

@testable import Plotting

/// Renders small figures to pixels and checks that data lands where the numbers say.
final class RenderingTests: XCTestCase {
    /// Device pixels matching `colour` in the vertical run through `x` (in points).
    private func columnCount(_ image: RasterImage, x: Double, colour: Colour) -> (count: Int, top: Int?, bottom: Int?) {
        let px = Int(x * image.scale)
        var count = 0, top: Int?, bottom: Int?
        for y in 0..<image.height where image.pixel(x: px, y: y).matches(colour) {
            count += 1
            top = top ?? y
            bottom = y
        }
        return (count, top, bottom)
    }

    func testBarHeightsAreProportionalToValues() throws {
        let values = [1.0, 2.0, 4.0, 3.0, 0.5]
        var figure = Figure(panelSize: (360, 260), legend: .none)
        figure.add(Panel(title: "Bars", chart: .bars(categories: ["a", "b", "c", "d", "e"], values: values)))
        let (image, layout) = try figure.rasterise()
        XCTAssertEqual(image.width, Int(layout.width * 2))
        let panel = layout.panels[0]
        guard case .barChart(let chart) = figure.panels[0].chart else { return XCTFail() }
        let colour = layout.colours[""]!
        let zero = panel.yScale(0) * image.scale
        let pixelsPerUnit = (panel.yScale(0) - panel.yScale(1)) * image.scale
        for (i, value) in values.enumerated() {
            let bar = chart.barRect(series: 0, category: i, plot: panel.plot, y: panel.yScale)
            let run = columnCount(image, x: bar.midX, colour: colour)
            let top = try XCTUnwrap(run.top, "bar \(i) not drawn")
            XCTAssertEqual(run.count, run.bottom! - top + 1, "bar \(i) should be one solid run")
            // The bottom spine covers the last pixel or two above zero, so the bar's height is read at its top.
            XCTAssertEqual(Double(run.bottom! + 1), zero, accuracy: 2.01, "bar \(i) should stand on zero")
            XCTAssertEqual(zero - Double(top), value * pixelsPerUnit, accuracy: 1.01, "bar \(i) height not proportional")
        }
    }

    func testNegativeBarsHangFromAZeroLine() throws {
        var figure = Figure(legend: .none)
        figure.add(Panel(title: "Signed", chart: .groupedBars(categories: ["P", "U"], series: [
            BarSeries(name: "A", values: [0.1, -0.05]), BarSeries(name: "B", values: [-0.02, 0.2]),
        ])))
        let (image, layout) = try figure.rasterise()
        let panel = layout.panels[0]
        guard case .barChart(let chart) = figure.panels[0].chart else { return XCTFail() }
        let bar = chart.barRect(series: 0, category: 1, plot: panel.plot, y: panel.yScale)
        let run = columnCount(image, x: bar.midX, colour: layout.colours["A"]!)
        // The zero line covers the bar's first pixel or two, so the bar is read at its far end.
        XCTAssertEqual(Double(run.top!), panel.yScale(0) * image.scale, accuracy: 2.01)
        XCTAssertEqual(Double(run.bottom! + 1), panel.yScale(-0.05) * image.scale, accuracy: 1.01)
        // The zero line runs through the gap between the two groups.
        let gap = Point(x: panel.plot.midX, y: panel.yScale(0))
        XCTAssertTrue(image.pixel(at: gap)!.matches(Theme.zeroLine, tolerance: 40), "no zero line at \(gap)")
    }

    func testLineMarkersSitOnTheirDataPoints() throws {
        let xs = [1.0, 2, 3, 4], ys = [0.1, 0.3, 0.2, 0.4]
        var figure = Figure(legend: .none, seriesColours: ["L": Palette.OkabeIto.vermillion])
        figure.add(Panel(title: "Line", chart: .lines([LineSeries(name: "L", x: xs, y: ys)])))
        let (image, layout) = try figure.rasterise()
        let panel = layout.panels[0]
        guard case .numeric(let xScale, _) = panel.x else { return XCTFail("line chart needs a numeric x axis") }
        for (x, y) in zip(xs, ys) {
            let centre = Point(x: xScale(x), y: panel.yScale(y))
            XCTAssertTrue(image.pixel(at: centre)!.matches(Palette.OkabeIto.vermillion), "no marker at \(x), \(y)")
            for dy in [-8.0, 8.0] {
                let off = Point(x: centre.x, y: centre.y + dy)
                XCTAssertFalse(image.pixel(at: off)!.matches(Palette.OkabeIto.vermillion), "colour bleeds to \(off)")
            }
        }
    }

    func testBandIsShadedBetweenItsEdges() throws {
        var figure = Figure(legend: .none, seriesColours: ["L": Palette.OkabeIto.blue])
        figure.add(Panel(chart: .lines([
            LineSeries(name: "L", y: [0.5, 0.5, 0.5], band: Band(lower: [0.2, 0.2, 0.2], upper: [0.8, 0.8, 0.8]), marker: .none)
        ])))
        let (image, layout) = try figure.rasterise()
        let panel = layout.panels[0]
        guard case .numeric(let xScale, _) = panel.x else { return XCTFail() }
        let inBand = image.pixel(at: Point(x: xScale(1.5), y: panel.yScale(0.7)))!
        let outside = image.pixel(at: Point(x: xScale(1.5), y: panel.yScale(0.82)))!
        XCTAssertLessThan(inBand.red, 240, "band should tint the background")
        XCTAssertGreaterThan(inBand.blue, inBand.red)
        XCTAssertTrue(outside.matches(.white) || outside.matches(Theme.grid, tolerance: 8))
    }

    func testDashedReferenceLineAlternates() throws {
        var figure = Figure(legend: .none)
        figure.add(Panel(chart: .lines([LineSeries(name: "L", y: [1, 2, 3])]), referenceLines: [
            ReferenceLine(value: 2.5, label: "Student", style: .dashed, colour: .black)
        ]))
        let (image, layout) = try figure.rasterise()
        let panel = layout.panels[0]
        let row = Int((panel.yScale(2.5) * image.scale).rounded(.down))
        let xs = Int(panel.plot.minX * image.scale) + 4..<Int(panel.plot.midX * image.scale)
        let dark = xs.filter { image.pixel(x: $0, y: row).red < 80 || image.pixel(x: $0, y: row - 1).red < 80 }.count
        XCTAssertGreaterThan(dark, xs.count / 3, "reference line missing")
        XCTAssertLessThan(dark, xs.count * 9 / 10, "reference line should be dashed")
    }

    /// Dark (label-text) pixels in the strips 3 to 12 points above and below a labelled reference line at `value`,
    /// over the rightmost 50 points of the plot, with `series` drawn in blue (which the count leaves out).
    private func labelPixels(line value: Double, series: [Double]) throws -> (above: Int, below: Int) {
        var figure = Figure(legend: .none, seriesColours: ["L": Palette.OkabeIto.blue])
        figure.add(Panel(chart: .lines([LineSeries(name: "L", y: series)]), referenceLines: [
            ReferenceLine(value: value, label: "Student", style: .solid, colour: .black)
        ]))
        let (image, layout) = try figure.rasterise()
        let panel = layout.panels[0]
        let line = panel.yScale(value)
        func count(_ top: Double) -> Int {
            var dark = 0
            for y in Int(top * image.scale)..<Int((top + 9) * image.scale) {
                for x in Int((panel.plot.maxX - 50) * image.scale)..<Int((panel.plot.maxX - 2) * image.scale) {
                    let p = image.pixel(x: x, y: y)
                    if p.red < 128 && p.blue < 128 { dark += 1 }
                }
            }
            return dark
        }
        return (count(line - 12), count(line + 3))
    }

    func testReferenceLabelMovesOffTheData() throws {
        // The data's right end lies far below the line: the label keeps its place, above the line at the right end.
        let clear = try labelPixels(line: 2.5, series: [1, 3, 1.1])
        XCTAssertGreaterThan(clear.above, 20)
        XCTAssertEqual(clear.below, 0)
        // The last points sit just above the line, where the label would go: the label moves below the line.
        let crowded = try labelPixels(line: 2.5, series: [1, 2.7, 2.55])
        XCTAssertEqual(crowded.above, 0)
        XCTAssertGreaterThan(crowded.below, 20)
    }

    /// Connected regions of `colour` inside `rect` with at least `minPixels` pixels.
    private func blobs(_ image: RasterImage, in rect: Rect, colour: Colour, minPixels: Int = 12) -> Int {
        let x0 = max(Int(rect.minX * image.scale), 0), x1 = min(Int(rect.maxX * image.scale), image.width - 1)
        let y0 = max(Int(rect.minY * image.scale), 0), y1 = min(Int(rect.maxY * image.scale), image.height - 1)
        var seen = Set<Int>()
        var count = 0
        for y in y0...y1 {
            for x in x0...x1 where !seen.contains(y * image.width + x) && image.pixel(x: x, y: y).matches(colour) {
                var stack = [(x, y)], size = 0
                seen.insert(y * image.width + x)
                while let (cx, cy) = stack.popLast() {
                    size += 1
                    for (nx, ny) in [(cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)]
                    where nx >= x0 && nx <= x1 && ny >= y0 && ny <= y1 && !seen.contains(ny * image.width + nx)
                        && image.pixel(x: nx, y: ny).matches(colour) {
                        seen.insert(ny * image.width + nx)
                        stack.append((nx, ny))
                    }
                }
                if size >= minPixels { count += 1 }
            }
        }
        return count
    }

    func testLegendHasOneSwatchPerSeries() throws {
        for placement in [LegendPlacement.right, .below] {
            var figure = Figure(columns: 2, legend: placement)
            let series = ["RD", "CD", "UnKD"].enumerated().map { BarSeries(name: $1, values: [Double($0 + 1), 1]) }
            figure.add(Panel(title: "one", chart: .groupedBars(categories: ["P", "U"], series: series)))
            figure.add(Panel(title: "two", chart: .groupedBars(categories: ["P", "U"], series: Array(series.reversed()))))
            let (image, layout) = try figure.rasterise()
            let legend = try XCTUnwrap(layout.legend)
            XCTAssertEqual(legend.items.map(\.entry.name), ["RD", "CD", "UnKD"])
            for name in ["RD", "CD", "UnKD"] {
                XCTAssertEqual(blobs(image, in: legend.frame, colour: layout.colours[name]!), 1, "\(name) in \(placement)")
            }
            let unused = Palette.okabeIto.colours.filter { !layout.colours.values.contains($0) }
            XCTAssertEqual(unused.map { blobs(image, in: legend.frame, colour: $0) }.reduce(0, +), 0)
            // Outside placements must not overlap any panel.
            for p in layout.panels {
                XCTAssertFalse(legend.frame.intersects(p.frame), "legend covers panel \(p.title.text)")
            }
        }
    }

    func testInsideLegendListsOnlyItsPanelsSeries() throws {
        var figure = Figure(columns: 2, legend: .inside(.topLeft))
        figure.add(Panel(title: "a", chart: .lines([LineSeries(name: "A", y: [1, 2]), LineSeries(name: "B", y: [2, 1])])))
        figure.add(Panel(title: "b", chart: .lines([LineSeries(name: "C", y: [1, 3])])))
        let (image, layout) = try figure.rasterise()
        XCTAssertNil(layout.legend)
        XCTAssertEqual(layout.panels[0].legend?.items.map(\.entry.name), ["A", "B"])
        XCTAssertEqual(layout.panels[1].legend?.items.map(\.entry.name), ["C"])
        let frame = layout.panels[1].legend!.frame
        // A line swatch is split by its marker's white rim, so it may count as several pieces.
        XCTAssertGreaterThanOrEqual(blobs(image, in: frame, colour: layout.colours["C"]!), 1)
        XCTAssertEqual(blobs(image, in: frame, colour: layout.colours["A"]!), 0)
    }

    func testValueLabelsArePrintedAboveBars() throws {
        func darkPixelsAboveBars(labels: Bool) throws -> Int {
            var figure = Figure(legend: .none)
            figure.add(Panel(chart: .bars(categories: ["a", "b"], values: [1, 2]), valueLabels: labels))
            let (image, layout) = try figure.rasterise()
            let panel = layout.panels[0]
            guard case .barChart(let chart) = figure.panels[0].chart else { return 0 }
            var dark = 0
            for i in 0..<2 {
                let bar = chart.barRect(series: 0, category: i, plot: panel.plot, y: panel.yScale)
                // Inside the plot only, so the frame's top edge is not mistaken for text.
                let top = max(bar.minY - 14, panel.plot.minY + 1.5)
                let region = Rect(x: bar.minX, y: top, width: bar.width, height: bar.minY - 1 - top)
                for y in Int(region.minY * 2)..<Int(region.maxY * 2) {
                    for x in Int(region.minX * 2)..<Int(region.maxX * 2) where image.pixel(x: x, y: y).red < 100 {
                        dark += 1
                    }
                }
            }
            return dark
        }
        XCTAssertGreaterThan(try darkPixelsAboveBars(labels: true), 20)
        XCTAssertEqual(try darkPixelsAboveBars(labels: false), 0)
    }

    func testLongCategoryLabelsNeverOverlap() throws {
        let canvas = try CairoCanvas(.measurement, width: 1, height: 1)
        let wrapped = CategoryLabels.fit(["Popular items in test data", "Unpopular items in test data"], slotWidth: 90, measuring: canvas)
        XCTAssertFalse(wrapped.slanted)
        XCTAssertGreaterThan(wrapped.lines[0].count, 1)
        for line in wrapped.lines.joined() {
            XCTAssertLessThanOrEqual(canvas.measure(line, wrapped.font).width, 90)
        }
        let slanted = CategoryLabels.fit(["Antidisestablishmentarianism", "Floccinaucinihilipilification"], slotWidth: 60, measuring: canvas)
        XCTAssertTrue(slanted.slanted)
        let short = CategoryLabels.fit(["P", "U"], slotWidth: 60, measuring: canvas)
        XCTAssertEqual(short.lines, [["P"], ["U"]])
        XCTAssertEqual(short.font, Theme.tickLabel)
    }

    /// Nothing may be drawn on the outermost pixels: text touching the edge would have been clipped.
    func testDemoFiguresLeaveAWhiteBorder() throws {
        for figure in [DemoFigures.figure1(), DemoFigures.figure4(), DemoFigures.figure5(), DemoFigures.stress()] {
            let (image, _) = try figure.rasterise(scale: 1)
            let border = (0..<image.width).flatMap { [(($0), 0), ($0, image.height - 1)] }
                + (0..<image.height).flatMap { [(0, $0), (image.width - 1, $0)] }
            let touched = border.filter { !image.pixel(x: $0.0, y: $0.1).matches(.white, tolerance: 0) }
            XCTAssertTrue(touched.isEmpty, "\(figure.title): \(touched.count) border pixels drawn on")
        }
    }

    func testLongTitlesAndAxisLabelsShrinkToStayInTheirPanel() throws {
        var figure = Figure(columns: 2, panelSize: (220, 170), title: "A figure title that is far too long for two narrow panels placed side by side in one row")
        for _ in 0..<2 {
            figure.add(Panel(
                title: "A panel title that is much wider than the panel", xLabel: "An x label that is also rather too long",
                yLabel: "A y label longer than the plot is tall", chart: .bars(categories: ["a", "b"], values: [1, 2])))
        }
        let layout = try figure.makeLayout()
        if let dir = ProcessInfo.processInfo.environment["PLOT_DEMO_DIR"] {
            try figure.render(to: URL(fileURLWithPath: dir).appendingPathComponent("long-labels.png"))
        }
        let canvas = try CairoCanvas(.measurement, width: 1, height: 1)
        func extent(_ t: PlacedText) -> (Double, Double) {
            let w = canvas.measure(t.text, t.font).width
            return (t.at.x - w / 2, t.at.x + w / 2)
        }
        for line in layout.title {
            XCTAssertLessThan(line.font.size, Theme.figureTitle.size)
            XCTAssertGreaterThanOrEqual(extent(line).0, 0)
            XCTAssertLessThanOrEqual(extent(line).1, layout.width)
        }
        for p in layout.panels {
            XCTAssertLessThan(p.title.font.size, Theme.panelTitle.size)
            for text in [p.title, p.xLabel] {
                let (lo, hi) = extent(text)
                XCTAssertGreaterThanOrEqual(lo, p.frame.minX, text.text)
                XCTAssertLessThanOrEqual(hi, p.frame.maxX, text.text)
            }
            let yLength = canvas.measure(p.yLabel.text, p.yLabel.font).width
            XCTAssertLessThanOrEqual(yLength, p.frame.height, "rotated y label must stay within the panel's height")
        }
    }

    func testPanelsGetTheirGridCells() throws {
        var figure = Figure(columns: 2, panelSize: (200, 150), title: "T")
        for i in 0..<3 { figure.add(Panel(title: "\(i)", chart: .bars(categories: ["a"], values: [1]))) }
        let layout = try figure.makeLayout()
        XCTAssertEqual(layout.panels[1].frame.minX, 200)
        XCTAssertEqual(layout.panels[2].frame.minX, 0)
        XCTAssertEqual(layout.panels[2].frame.minY, layout.panels[0].frame.maxY)
        XCTAssertEqual(layout.width, 400)
        for p in layout.panels {
            XCTAssertTrue(p.frame.contains(Point(x: p.plot.minX, y: p.plot.minY)))
            XCTAssertTrue(p.frame.contains(Point(x: p.plot.maxX, y: p.plot.maxY)))
        }
    }

    func testALongTitleBreaksIntoLinesThatFitTheFigure() throws {
        let title = "Figure 4: Recall@10 change over the Student by popularity group (synthetic data)"
        var figure = Figure(panelSize: (300, 230), title: title, legend: .none)
        figure.add(Panel(title: "One panel", chart: .bars(categories: ["a", "b"], values: [1, 2])))
        let (_, layout) = try figure.rasterise()
        XCTAssertGreaterThan(layout.title.count, 1, "a title twice the figure's width should wrap")
        XCTAssertEqual(layout.title.map(\.text).joined(separator: " "), title, "no word may be lost or reordered")
        let canvas = try CairoCanvas(.measurement, width: 10, height: 10)
        for line in layout.title {
            let half = canvas.measure(line.text, line.font).width / 2
            XCTAssertGreaterThanOrEqual(line.at.x - half, 0, "'\(line.text)' spills over the left edge")
            XCTAssertLessThanOrEqual(line.at.x + half, layout.width, "'\(line.text)' spills over the right edge")
        }
        XCTAssertGreaterThan(layout.panels[0].plot.minY, layout.title.last!.at.y, "the panel must start below the title")
    }
}

extension Rect {
    func intersects(_ other: Rect) -> Bool {
        minX < other.maxX && other.minX < maxX && minY < other.maxY && other.minY < maxY
    }
}
