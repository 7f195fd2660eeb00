import Foundation
import XCTest

@testable import Plotting

/// Made-up numbers shaped like the paper's Figures 1, 4 and 5, used to look at the output and to exercise every
/// chart kind in one render.
enum DemoFigures {
    /// One colour per method in every figure, as the experiments will use.
    static let colours: [String: Colour] = [
        "Test data": .grey, "MF teacher": Palette.OkabeIto.blue, "LightGCN teacher": Palette.OkabeIto.skyBlue,
        "RD": Palette.OkabeIto.orange, "CD": Palette.OkabeIto.bluishGreen, "DE": Palette.OkabeIto.reddishPurple,
        "HTD": Palette.OkabeIto.yellow, "UnKD": Palette.OkabeIto.vermillion, "Student": .darkGrey,
    ]

    /// Figure 1: popular vs unpopular share of top-10 lists against the test data, one panel per dataset.
    static func figure1() -> Figure {
        var figure = Figure(columns: 3, panelSize: (240, 220), title: "Figure 1 (synthetic)", seriesColours: colours)
        let shares: [(String, [Double], [Double], [Double])] = [
            ("CiteULike", [0.42, 0.58], [0.81, 0.19], [0.77, 0.23]),
            ("Apps", [0.55, 0.45], [0.93, 0.07], [0.90, 0.10]),
            ("MovieLens-1M", [0.61, 0.39], [0.97, 0.03], [0.95, 0.05]),
        ]
        for (dataset, test, mf, lgcn) in shares {
            figure.add(
                Panel(
                    title: dataset, yLabel: "Share of items", yFormat: .percent(decimals: 0), yLimits: nil,
                    chart: .groupedBars(
                        categories: ["Popular items", "Unpopular items"],
                        series: [
                            BarSeries(name: "Test data", values: test), BarSeries(name: "MF teacher", values: mf),
                            BarSeries(name: "LightGCN teacher", values: lgcn),
                        ]),
                    valueLabels: true))
        }
        return figure
    }

    /// Figure 4: relative improvement over the student for five methods, popular vs unpopular, one panel per
    /// dataset and backbone.
    static func figure4() -> Figure {
        var figure = Figure(columns: 3, panelSize: (250, 230), title: "Figure 4 (synthetic)", seriesColours: colours)
        let methods = ["RD", "CD", "DE", "HTD", "UnKD"]
        var seed: UInt64 = 7
        func noise() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 40) / Double(1 << 24) - 0.5
        }
        for backbone in ["MF", "LightGCN"] {
            for dataset in ["CiteULike", "Apps", "MovieLens-1M"] {
                let series = methods.enumerated().map { i, m in
                    BarSeries(
                        name: m,
                        values: [0.02 + 0.03 * Double(i) + 0.04 * noise(), -0.06 + 0.09 * Double(i) + 0.05 * noise()])
                }
                figure.add(
                    Panel(
                        title: "\(dataset) (\(backbone))", yLabel: "Improvement over student",
                        yFormat: .percent(decimals: 0, signed: true),
                        chart: .groupedBars(categories: ["Popular", "Unpopular"], series: series)))
            }
        }
        return figure
    }

    /// Figure 5: Recall@10 against the number of groups K with a confidence band and the student as a dashed line.
    static func figure5() -> Figure {
        var figure = Figure(columns: 2, panelSize: (330, 240), title: "Figure 5 (synthetic)", seriesColours: colours)
        for (dataset, base) in [("CiteULike", 0.142), ("Apps", 0.081)] {
            for backbone in ["MF", "LightGCN"] {
                let y: [Double] = (1...10).map { k in
                    let rise: Double = 0.07 * (1 - exp(-Double(k) / 2.5))
                    let decay: Double = k > 6 ? 0.004 * Double(k - 6) : 0
                    return base * (1.05 + rise - decay)
                }
                let ci: [Double] = (1...10).map { k in base * (0.012 + 0.002 * Double(k % 3)) }
                figure.add(
                    Panel(
                        title: "\(dataset) (\(backbone))", xLabel: "Number of popularity groups K", yLabel: "Recall@10",
                        yFormat: .plain(decimals: 3), xTicks: (1...10).map(Double.init),
                        chart: .lines([
                            LineSeries(
                                name: "UnKD", y: y,
                                band: Band(lower: zip(y, ci).map { $0 - $1 }, upper: zip(y, ci).map { $0 + $1 }))
                        ]),
                        referenceLines: [ReferenceLine(value: base, label: "Student", style: .dashed)]))
            }
        }
        return figure
    }
}

final class DemoFigureTests: XCTestCase {
    /// Renders the demo figures as PNG and PDF; set PLOT_DEMO_DIR to keep them for viewing.
    func testDemoFiguresRender() throws {
        let keep = ProcessInfo.processInfo.environment["PLOT_DEMO_DIR"]
        let dir = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("plot-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }
        for (name, figure) in [("fig1", DemoFigures.figure1()), ("fig4", DemoFigures.figure4()), ("fig5", DemoFigures.figure5()), ("stress", DemoFigures.stress())] {
            for ext in ["png", "pdf"] {
                let url = dir.appendingPathComponent("\(name).\(ext)")
                try figure.render(to: url)
                let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
                XCTAssertGreaterThan(size, 1000, url.path)
            }
        }
    }
}

extension DemoFigures {
    /// Awkward inputs in one figure: long category names, narrow bars with value labels, all-negative bars, an
    /// inside legend, many series.
    static func stress() -> Figure {
        var figure = Figure(columns: 2, panelSize: (300, 240), legend: .inside(.topRight))
        figure.add(
            Panel(
                title: "Long labels wrap", yLabel: "Value",
                chart: .groupedBars(
                    categories: ["A rather long category name", "Another long one", "Short"],
                    series: [BarSeries(name: "one", values: [1.5, 2.25, 3]), BarSeries(name: "two", values: [2, 1, 0.5])]),
                valueLabels: true))
        figure.add(
            Panel(
                title: "Unbreakable labels slant",
                chart: .bars(
                    categories: ["Supercalifragilistic", "Antidisestablishmentarianism", "Floccinaucinihilipilification", "Pneumono"],
                    values: [0.0001, 0.0003, 0.0002, 0.00025], name: "tiny"),
                valueLabels: true))
        figure.add(
            Panel(
                title: "Negative only, many bars", yFormat: .percent(decimals: 1),
                chart: .groupedBars(
                    categories: ["P", "U"],
                    series: (1...6).map { BarSeries(name: "m\($0)", values: [-0.0123 * Double($0), -0.031 * Double($0)]) }),
                valueLabels: true))
        figure.add(
            Panel(
                title: "All values equal", xLabel: "x", yLabel: "y",
                chart: .lines([
                    LineSeries(name: "flat", x: [1, 2, 3], y: [5, 5, 5], marker: .square),
                    LineSeries(name: "flat dashed", x: [1, 2, 3], y: [5, 5, 5], marker: .triangle, dashed: true),
                ]),
                referenceLines: [ReferenceLine(value: 5.5, label: "Ceiling", style: .dotted)]))
        return figure
    }
}
