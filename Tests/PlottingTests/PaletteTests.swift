import XCTest

@testable import Plotting

final class PaletteTests: XCTestCase {
    func testOkabeItoColours() {
        let hex = Palette.okabeIto.colours.map(\.description)
        XCTAssertEqual(hex, ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"])
        XCTAssertEqual(Palette.okabeIto.colour(at: 8), Palette.okabeIto.colour(at: 0))
        XCTAssertNil(Palette([]))
    }

    func testFixedNamesKeepTheirColourAndOthersSkipIt() {
        let fixed = ["UnKD": Palette.OkabeIto.blue]
        let colours = Palette.okabeIto.assign(["RD", "UnKD", "CD"], fixedAssignments: fixed)
        XCTAssertEqual(colours["UnKD"], Palette.OkabeIto.blue)
        // Blue is taken by UnKD, so the free colours start at orange.
        XCTAssertEqual(colours["RD"], Palette.OkabeIto.orange)
        XCTAssertEqual(colours["CD"], Palette.OkabeIto.bluishGreen)
        XCTAssertEqual(Palette.okabeIto.colour(for: "UnKD", in: fixed), Palette.OkabeIto.blue)
        XCTAssertEqual(Palette.okabeIto.colour(for: "RD", in: fixed, among: ["CD", "RD"]), Palette.OkabeIto.bluishGreen)
    }

    /// The same colour map gives a series the same colour in figures that list their series differently.
    func testSameNameSameColourAcrossFigures() throws {
        let fixed = ["UnKD": Palette.OkabeIto.vermillion, "RD": Palette.OkabeIto.orange]
        var a = Figure(seriesColours: fixed)
        a.add(Panel(title: "a", chart: .groupedBars(categories: ["x"], series: [
            BarSeries(name: "RD", values: [1]), BarSeries(name: "other", values: [2]), BarSeries(name: "UnKD", values: [3]),
        ])))
        var b = Figure(seriesColours: fixed)
        b.add(Panel(title: "b", chart: .lines([LineSeries(name: "UnKD", y: [1, 2])])))
        let ca = try a.makeLayout().colours, cb = try b.makeLayout().colours
        XCTAssertEqual(ca["UnKD"], Palette.OkabeIto.vermillion)
        XCTAssertEqual(cb["UnKD"], Palette.OkabeIto.vermillion)
        XCTAssertEqual(ca["RD"], Palette.OkabeIto.orange)
        XCTAssertNotEqual(ca["other"], ca["UnKD"])
        XCTAssertNotEqual(ca["other"], ca["RD"])
    }
}
