import Foundation
import XCTest
@testable import UnKD

final class DatasetTests: XCTestCase {
    func testFilterCountsRecordsThenRemapsDensely() {
        var records = RawInteractions()
        for (u, i) in [("a", "x"), ("b", "y"), ("a", "y"), ("c", "z"), ("a", "x"), ("b", "x")] {
            records.append(user: u, item: i)
        }
        // a has 3 records (2 distinct items), b has 2, c has 1.
        let data = records.dataset(name: "t", minUserInteractions: 2, origin: "")
        XCTAssertEqual(data.userKeys, ["a", "b"])
        XCTAssertEqual(data.itemKeys, ["x", "y"])  // z belonged only to the removed user c
        XCTAssertEqual(data.interactions.rows, [[0, 1], [0, 1]])
        XCTAssertEqual(data.interactionCount, 4)
        let strict = records.dataset(name: "t", minUserInteractions: 3, origin: "")
        XCTAssertEqual(strict.userKeys, ["a"])  // duplicates count before merging, as in the official code
    }

    func testInteractionMatrixQueries() {
        let m = InteractionMatrix(itemCount: 5, rows: [[3, 1, 3], [], [4, 0]])
        XCTAssertEqual(m.rows, [[1, 3], [], [0, 4]])
        XCTAssertTrue(m.contains(user: 0, item: 3))
        XCTAssertFalse(m.contains(user: 0, item: 2))
        XCTAssertFalse(m.contains(user: 1, item: 0))
        XCTAssertEqual(m.itemPopularity(), [1, 1, 0, 1, 1])
        XCTAssertEqual(m.nonEmptyUsers, [0, 2])
        XCTAssertEqual(m.transposed().rows, [[2], [0], [], [0], [2]])
        XCTAssertEqual(m.sparsity, 1 - 4.0 / 15, accuracy: 1e-12)
    }

    func testLocatorPrefersExplicitPathsAndExplainsMissingData() throws {
        let folder = try FixtureFolder()
        let path = try folder.write("mine.csv", "user,item\n1,2\n1,3\n2,3\n")
        var locator = DataLocator(dataDirectory: folder.url.appendingPathComponent("cache"))
        locator.allowDownload = false
        try locator.addExplicit("mine=\(path)")
        XCTAssertEqual(try locator.load("mine").interactionCount, 3)
        try locator.addExplicit("forced=csv:\(path)")
        XCTAssertEqual(try locator.load("forced").interactionCount, 3)
        XCTAssertThrowsError(try locator.addExplicit("no-equals-sign"))
        XCTAssertThrowsError(try locator.load("ml-1m")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("files.grouplens.org/datasets/movielens/ml-1m.zip"), text)
            XCTAssertTrue(text.contains(folder.url.appendingPathComponent("cache/ml-1m/ml-1m.zip").path), text)
        }
        XCTAssertThrowsError(try locator.load("unknown-name")) { error in
            XCTAssertTrue("\(error)".contains("--data unknown-name=PATH"))
        }
        // A file placed in the data directory is found without any flag.
        let cached = folder.url.appendingPathComponent("cache/citeulike/users.dat")
        try FileManager.default.createDirectory(at: cached.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("5 1 2 3 4 5\n1 1\n".utf8).write(to: cached)
        XCTAssertEqual(try locator.load("citeulike").userCount, 1)
    }

    func testSyntheticPresetsNeedNoFiles() throws {
        let locator = DataLocator(dataDirectory: URL(fileURLWithPath: "/nonexistent"))
        let data = try locator.load("synthetic")
        XCTAssertEqual(data.userCount, SyntheticConfiguration.small.users)
    }

    /// Table 2 on the real files, when the shared datasets are beside this checkout (skipped otherwise).
    func testRealDatasetsMatchTable2() throws {
        guard let shared = sharedDatasetsFolder() else { throw XCTSkip("../shared/datasets is not present") }
        var locator = DataLocator(dataDirectory: URL(fileURLWithPath: "/nonexistent"))
        locator.allowDownload = false
        try locator.addExplicit("citeulike=\(shared.path)/citeulike/users.dat")
        let cite = try locator.load("citeulike").interactions
        XCTAssertEqual([cite.userCount, cite.itemCount, cite.interactionCount], [5219, 25181, 125_580])
        let split = DataSplit.make(try locator.load("citeulike"), protocol: .unkdCode, seed: 2022, validationUserFraction: 0.2)
        XCTAssertEqual(split.train.interactionCount, 98_405)  // each user keeps n - ceil(0.2 n), as in the code
        XCTAssertEqual([split.validationUsers.count, split.testUsers.count], [1043, 4176])
    }
}

/// The download path with a local stand-in for the network.
final class DownloadTests: XCTestCase {
    func testVerifiedDownloadIsKeptAndAMismatchLeavesNothing() throws {
        let folder = try FixtureFolder()
        let source = try folder.write("source/users.dat", "3 1 2 3\n")
        let sha = String(repeating: "0", count: 64)  // deliberately wrong
        var locator = DataLocator(dataDirectory: folder.url.appendingPathComponent("cache"))
        locator.fetch = { try Data(contentsOf: $0) }
        let target = folder.url.appendingPathComponent("cache/x/users.dat")
        let good = DownloadableFile(url: URL(fileURLWithPath: source).absoluteString, fileName: "users.dat",
                                    sha256: try computedSHA(source), md5: nil)
        try locator.download(good, to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "3 1 2 3\n")

        let other = folder.url.appendingPathComponent("cache/y/users.dat")
        let bad = DownloadableFile(url: URL(fileURLWithPath: source).absoluteString, fileName: "users.dat", sha256: sha, md5: nil)
        XCTAssertThrowsError(try locator.download(bad, to: other)) { error in
            guard case UnKDError.checksumMismatch? = error as? UnKDError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: other.path), "a file that fails verification is not kept")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: other.deletingLastPathComponent().path)) ?? []
        XCTAssertEqual(leftovers, [])
        // A failing fetch becomes an error that says what to fetch and where to put it.
        locator.fetch = { _ in throw URLError(.notConnectedToInternet) }
        try? FileManager.default.removeItem(at: folder.url.appendingPathComponent("cache"))
        XCTAssertThrowsError(try locator.load("citeulike")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("The download failed") && text.contains("CollMetric") && text.contains("cache/citeulike/users.dat"), text)
        }
    }

    private func computedSHA(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SHA256Hex.of(data)
    }
}
