import Foundation
import UnKD
import XCTest

/// A dataset's name is a type, but result files and spec hashes see the plain string they always held.
final class DatasetNameTests: XCTestCase {
    func testEncodesAsItsPlainString() throws {
        let encoder = JSONEncoder()
        XCTAssertEqual(String(decoding: try encoder.encode(DatasetName.movieLens), as: UTF8.self), "\"ml-1m\"")
        XCTAssertEqual(try JSONDecoder().decode(DatasetName.self, from: Data("\"my-data\"".utf8)), DatasetName("my-data"))
        encoder.outputFormatting = [.sortedKeys]
        let spec = PaperGrid(dataset: .citeULike).student(.mf, seed: 2022)
        XCTAssertTrue(String(decoding: try encoder.encode(spec), as: UTF8.self).contains("\"dataset\":\"citeulike\""))
    }

    /// The hash that names MovieLens-1M's MF Student result of seed 2022 (`results/ml-1m/student-mf-d10-seed2022-*.json`)
    /// is the one it had when its dataset was a bare string, so committed results keep loading.
    func testSpecHashOfACommittedResultIsUnchanged() {
        XCTAssertEqual(ResultStore.key(PaperGrid(dataset: .movieLens).student(.mf, seed: 2022)), "12fd5704cad6eef3")
        XCTAssertEqual(ResultStore.key(PaperGrid(dataset: .movieLens, splitProtocol: .paperText).student(.mf, seed: 2022)),
                       "930c63190622c2d5")
    }

    func testListsAndCatalogue() {
        XCTAssertEqual(DatasetName.list("ml-1m,citeulike,mine"), [.movieLens, .citeULike, DatasetName("mine")])
        XCTAssertEqual(DatasetName.list(" ml-1m , citeulike,, "), [.movieLens, .citeULike])
        XCTAssertEqual(DatasetName.list(","), [])
        XCTAssertEqual(DatasetCatalog.paperDatasets.map(\.name), [.movieLens, .apps, .citeULike])
        XCTAssertEqual(DatasetCatalog.descriptor("mine").displayName, "mine", "an unknown name describes a user's own data")
        XCTAssertTrue(DatasetCatalog.descriptor(.syntheticMovieLens).isSynthetic)
        XCTAssertFalse(DatasetCatalog.descriptor(.movieLens).isSynthetic)
    }
}
