import PaperFigures
import UnKD
import XCTest

/// A table or figure made for fewer datasets or backbones than the defaults must not overwrite the full one that the
/// report reads.
final class TableFileNameTests: XCTestCase {
    private func name(_ arguments: [String], backbones: [Backbone], all: [Backbone] = [.mf, .lightGCN]) throws -> String {
        try GridOptions.parse(arguments).fileName("table3", backbones: backbones, allBackbones: all)
    }

    func testTheFullSelectionKeepsThePlainName() throws {
        XCTAssertEqual(try name([], backbones: [.mf, .lightGCN]), "table3")
        XCTAssertEqual(try name(["--dataset", "citeulike,ml-1m,apps"], backbones: [.lightGCN, .mf]), "table3")
        XCTAssertEqual(try name(["--protocol", "paper-text"], backbones: [.mf, .lightGCN]), "table3-paper-text")
    }

    func testANarrowedRunNamesItsDatasetsAndBackbones() throws {
        XCTAssertEqual(try name(["--dataset", "ml-1m"], backbones: [.mf]), "table3-ml-1m-mf")
        XCTAssertEqual(try name(["--dataset", "ml-1m,citeulike"], backbones: [.mf, .lightGCN]), "table3-ml-1m-citeulike")
        XCTAssertEqual(try name(["--protocol", "paper-text"], backbones: [.lightGCN]), "table3-paper-text-lightgcn")
        XCTAssertEqual(try name(["--dataset", "citeulike"], backbones: [.mf], all: [.mf]), "table3-citeulike")
    }

    func testAFigureForFewerDatasetsNamesThem() throws {
        XCTAssertEqual(try FigureGridOptions.parse([]).fileName("fig5"), "fig5")
        XCTAssertEqual(try FigureGridOptions.parse(["--dataset", "citeulike"]).fileName("fig5"), "fig5-citeulike")
        XCTAssertEqual(try FigureGridOptions.parse(["--protocol", "paper-text"]).fileName("fig5"), "fig5-paper-text")
        XCTAssertEqual(try FigureGridOptions.parse(["--protocol", "paper-text"]).grid("ml-1m").splitProtocol, .paperText)
        XCTAssertEqual(GridRunOptions.fileName("fig1", datasets: ["ml-1m", "citeulike"], quick: false), "fig1-ml-1m-citeulike")
        XCTAssertEqual(GridRunOptions.fileName("fig1", datasets: ["synthetic"], quick: true), "fig1")
    }

    func testQuickRunsAreMarkedSyntheticElsewhere() throws {
        // --quick always runs the synthetic data set; the "-synthetic" mark comes from FigureOutput, not from here.
        XCTAssertEqual(try name(["--quick"], backbones: [.mf, .lightGCN]), "table3")
    }
}
