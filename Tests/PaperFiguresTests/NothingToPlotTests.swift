import PaperFigures
@testable import UnKD
import XCTest

/// A figure with nothing to draw says why: `--cached`, unreadable data (named), or no data at all.
final class NothingToPlotTests: XCTestCase {
    func testTheMessageNamesTheCause() throws {
        var unreadable = GridResults()
        unreadable.markUnavailable("mine")
        unreadable.markUnavailable("citeulike")
        XCTAssertEqual(try FigureGridOptions.parse([]).nothingToPlot(unreadable).description,
                       "no results to plot: none are stored, and the data of citeulike, mine could not be read (the reason is above)")
        XCTAssertTrue(try FigureGridOptions.parse(["--cached"]).nothingToPlot(unreadable).description
            .contains("--cached never reads data"))
        XCTAssertTrue(try FigureGridOptions.parse([]).nothingToPlot(GridResults()).description.contains("no data was at hand"))
    }
}
