import Foundation
import ArgumentParser
import XCTest
@testable import PaperFigures

/// Numeric options are checked when the command line is parsed, with the option and its range in the message.
final class OptionCheckTests: XCTestCase {
    private func message<T: ParsableArguments>(_ type: T.Type, _ arguments: [String]) -> String? {
        do {
            _ = try type.parse(arguments)
            return nil
        } catch {
            return type.message(for: error)
        }
    }

    func testGridOptionsRefuseSeedsAndEpochsOutOfRange() {
        XCTAssertEqual(message(GridOptions.self, ["--seeds=-1"]), "--seeds must be in 1...100; got -1")
        XCTAssertEqual(message(GridOptions.self, ["--seeds", "0"]), "--seeds must be in 1...100; got 0")
        XCTAssertEqual(message(GridOptions.self, ["--epochs", "-1"]), "--epochs must be in 1...100000; got -1")
        XCTAssertNil(message(GridOptions.self, ["--seeds", "2", "--epochs", "5"]))
    }

    func testFigureOptionsRefuseSeedsOutOfRange() {
        XCTAssertEqual(message(FigureGridOptions.self, ["--seeds=-1"]), "--seeds must be in 1...100; got -1")
    }

    func testUnknownDatasetIsNamed() {
        XCTAssertTrue(message(GridOptions.self, ["--dataset", "ml-1m,nope"])?.hasPrefix("--dataset: unknown dataset 'nope'") == true)
        XCTAssertEqual(message(GridOptions.self, ["--dataset", ","]), "--dataset names no dataset")
        XCTAssertNil(message(GridOptions.self, ["--dataset", "ml-1m, citeulike"]), "blanks after a comma are dropped")
    }

    /// A user's own dataset is known by its files in the data directory, or by stored results, without --data.
    func testOwnDatasetsInTheDataDirectoryOrWithResultsAreKnown() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("option-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data"), results = root.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("mine"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: results.appendingPathComponent("theirs"), withIntermediateDirectories: true)
        try Data("u,i\n1,2\n".utf8).write(to: data.appendingPathComponent("mine/interactions.csv"))
        let folders = ["--data-dir", data.path, "--results-dir", results.path]
        XCTAssertNil(message(GridOptions.self, folders + ["--dataset", "mine"]))
        XCTAssertNil(message(GridOptions.self, folders + ["--dataset", "theirs"]))
        XCTAssertTrue(message(GridOptions.self, folders + ["--dataset", "empty"])?.hasPrefix("--dataset: unknown dataset 'empty'") == true,
                      "an empty folder holds no data")
    }

    func testCachedAndRerunContradictEachOther() {
        XCTAssertEqual(message(GridOptions.self, ["--cached", "--rerun"]),
                       "--cached never trains and --rerun trains every run again; give one of them")
        XCTAssertNil(message(FigureGridOptions.self, ["--rerun"]))
        XCTAssertNil(message(GridOptions.self, ["--dataset", "mine", "--data", "mine=/tmp/x.csv"]))
    }

    func testRealNumbersMustBeFiniteAndInRange() {
        XCTAssertThrowsError(try OptionCheck.positive(.nan, "--lr"))
        XCTAssertThrowsError(try OptionCheck.positive(0, "--lr"))
        XCTAssertThrowsError(try OptionCheck.nonNegative(-1e-3, "--decay"))
        XCTAssertThrowsError(try OptionCheck.nonNegative(.infinity, "--decay"))
        XCTAssertNoThrow(try OptionCheck.positive(1e-3, "--lr"))
        XCTAssertNoThrow(try OptionCheck.nonNegative(0, "--decay"))
    }
}
