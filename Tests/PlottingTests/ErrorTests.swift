import Foundation
import XCTest

@testable import Plotting

/// Bad input must give a thrown, descriptive error, never a crash or a silently wrong figure.
final class ErrorTests: XCTestCase {
    private func figure(_ panel: Panel) -> Figure {
        var f = Figure()
        f.add(panel)
        return f
    }

    /// Asserts that rendering `figure` throws `expected` and that its message mentions every `phrase`.
    private func assertThrows(_ figure: Figure, _ expected: PlotError, mentioning phrases: [String], line: UInt = #line) {
        XCTAssertThrowsError(try figure.data(.png), line: line) { error in
            XCTAssertEqual(error as? PlotError, expected, line: line)
            for phrase in phrases {
                XCTAssertTrue(error.localizedDescription.contains(phrase), "\"\(error)\" lacks \"\(phrase)\"", line: line)
            }
        }
    }

    func testEmptyFigure() {
        assertThrows(Figure(), .emptyFigure, mentioning: ["no panels"])
    }

    func testEmptySeries() {
        assertThrows(
            figure(Panel(title: "P", chart: .groupedBars(categories: ["a"], series: []))),
            .emptySeries(panel: "P", series: nil), mentioning: ["\"P\"", "no data series"])
        assertThrows(
            figure(Panel(title: "P", chart: .lines([LineSeries(name: "UnKD", x: [], y: [])]))),
            .emptySeries(panel: "P", series: "UnKD"), mentioning: ["\"UnKD\"", "no values"])
        assertThrows(
            figure(Panel(title: "P", chart: .lines([]))), .emptySeries(panel: "P", series: nil), mentioning: ["no data series"])
    }

    func testNonFiniteValues() {
        // NaN never equals itself, so this case is matched by pattern rather than by ==.
        XCTAssertThrowsError(try figure(Panel(title: "P", chart: .bars(categories: ["a", "b"], values: [1, .nan], name: "RD"))).data(.png)) {
            guard case .nonFiniteValue("P", "RD", "bar", 1, let v)? = $0 as? PlotError, v.isNaN else { return XCTFail("\($0)") }
            for phrase in ["non-finite", "index 1", "\"RD\"", "nan"] { XCTAssertTrue("\($0)".contains(phrase), "\($0)") }
        }
        let band = Band(lower: [0, 0], upper: [1, .infinity])
        assertThrows(
            figure(Panel(title: "P", chart: .lines([LineSeries(name: "L", y: [0.5, 0.5], band: band)]))),
            .nonFiniteValue(panel: "P", series: "L", what: "band upper", index: 1, value: .infinity),
            mentioning: ["band upper", "inf"])
        assertThrows(
            figure(Panel(title: "P", chart: .lines([LineSeries(name: "L", y: [1])]), referenceLines: [ReferenceLine(value: -.infinity)])),
            .nonFiniteValue(panel: "P", series: "", what: "reference line", index: 0, value: -.infinity),
            mentioning: ["reference line"])
    }

    func testMismatchedLengths() {
        assertThrows(
            figure(Panel(title: "P", chart: .groupedBars(categories: ["a", "b"], series: [BarSeries(name: "RD", values: [1, 2, 3])]))),
            .lengthMismatch(panel: "P", series: "RD", expected: "categories", expectedCount: 2, actual: "values", actualCount: 3),
            mentioning: ["3 values but 2 categories"])
        assertThrows(
            figure(Panel(title: "P", chart: .lines([LineSeries(name: "L", x: [1, 2, 3], y: [1, 2])]))),
            .lengthMismatch(panel: "P", series: "L", expected: "x values", expectedCount: 3, actual: "y values", actualCount: 2),
            mentioning: ["2 y values but 3 x values"])
        let band = Band(lower: [0], upper: [1, 1])
        assertThrows(
            figure(Panel(title: "P", chart: .lines([LineSeries(name: "L", y: [0.5, 0.5], band: band)]))),
            .lengthMismatch(panel: "P", series: "L", expected: "y values", expectedCount: 2, actual: "band lower values", actualCount: 1),
            mentioning: ["band lower"])
    }

    func testInvalidSettings() {
        XCTAssertThrowsError(try figure(Panel(title: "P", chart: .groupedBars(categories: ["a"], series: [
            BarSeries(name: "X", values: [1]), BarSeries(name: "X", values: [2]),
        ]))).data(.png)) { XCTAssertTrue("\($0)".contains("two series named \"X\"")) }
        XCTAssertThrowsError(try figure(Panel(title: "P", yLimits: 1...1, chart: .bars(categories: ["a"], values: [1]))).data(.png)) {
            XCTAssertTrue("\($0)".contains("y limits"))
        }
        XCTAssertThrowsError(try figure(Panel(title: "P", chart: .bars(categories: [], values: []))).data(.png))
        var tiny = Figure(panelSize: (10, 10))
        tiny.add(Panel(chart: .bars(categories: ["a"], values: [1])))
        XCTAssertThrowsError(try tiny.data(.pdf)) { XCTAssertTrue("\($0)".contains("Panel size")) }
        var zeroColumns = Figure(columns: 0)
        zeroColumns.add(Panel(chart: .bars(categories: ["a"], values: [1])))
        XCTAssertThrowsError(try zeroColumns.data(.pdf))
    }

    func testUnwritableOutputPaths() throws {
        let fig = DemoFigures.figure1()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plotting-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let missing = dir.appendingPathComponent("no/such/dir/fig.png")
        XCTAssertThrowsError(try fig.render(to: missing)) { error in
            guard case .unwritableOutput(let path, _)? = error as? PlotError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, missing.path)
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }

        let file = dir.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try fig.render(to: file.appendingPathComponent("fig.pdf"))) { error in
            XCTAssertTrue("\(error)".contains("not a directory"), "\(error)")
        }

        // The destination is a non-empty directory: the final rename fails, and the temporary file must go.
        let occupied = dir.appendingPathComponent("occupied.png")
        try FileManager.default.createDirectory(at: occupied.appendingPathComponent("child"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try fig.render(to: occupied)) { error in
            XCTAssertTrue("\(error)".contains("Cannot write the figure to \(occupied.path)"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["occupied.png", "plain-file"])
    }

    func testFailedRenderLeavesThePreviousFileIntact() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plotting-keep-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try DemoFigures.figure1().render(to: url)
        let before = try Data(contentsOf: url)
        XCTAssertThrowsError(try figure(Panel(chart: .bars(categories: ["a"], values: [.nan]))).render(to: url))
        XCTAssertEqual(try Data(contentsOf: url), before)
    }

    func testUnsupportedExtension() {
        XCTAssertThrowsError(try DemoFigures.figure1().render(to: URL(fileURLWithPath: "/tmp/fig.svg"))) { error in
            XCTAssertEqual(error as? PlotError, .unsupportedFormat("fig.svg"))
            XCTAssertTrue("\(error)".contains(".png or .pdf"))
        }
    }
}
