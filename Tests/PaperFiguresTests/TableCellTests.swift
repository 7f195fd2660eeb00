import PaperFigures
import UnKD
import XCTest

/// A table cell states what the seeds support: a mean with its 95% interval, the paper's value, and how many seeds
/// stand behind it when fewer than asked have finished.
final class TableCellTests: XCTestCase {
    func testSeveralSeedsShowTheirInterval() throws {
        let options = try GridOptions.parse(["--seeds", "3"])
        // Mean 0.2; sample standard deviation 0.1, so the half-width is t(2) x 0.1 / sqrt(3) = 4.303 x 0.05774 = 0.2484.
        XCTAssertEqual(options.cell(SeedSummary([0.1, 0.2, 0.3]), paper: 0.25), "0.2000 ± 0.2484 (0.2500)")
        XCTAssertEqual(options.cell(SeedSummary([0.1, 0.3]), paper: nil, decimals: 2), "0.20 ± 1.27 [2 seeds]")
    }

    func testOneSeedShowsTheValueAloneAndSaysSo() throws {
        XCTAssertEqual(try GridOptions.parse(["--seeds", "5"]).cell(SeedSummary([0.1384]), paper: 0.1547),
                       "0.1384 (0.1547) [1 seed]")
        XCTAssertEqual(try GridOptions.parse(["--seeds", "1"]).cell(SeedSummary([0.1384]), paper: nil), "0.1384")
        XCTAssertEqual(try GridOptions.parse([]).cell(SeedSummary([]), paper: 0.1), "not run")
    }
}
