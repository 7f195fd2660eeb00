import Foundation
import XCTest
@testable import UnKD

final class StatisticsAndResultsTests: XCTestCase {
    func testSeedSummaryByHand() {
        let summary = SeedSummary([1, 2, 3])
        XCTAssertEqual(summary.mean, 2)
        XCTAssertEqual(summary.halfWidth, 4.303 / 3.0.squareRoot(), accuracy: 1e-9)  // sd 1, t(2) = 4.303
        XCTAssertEqual(SeedSummary([0.5]).halfWidth, 0)
    }

    func testMeansOfSeedPairsByHand() throws {
        XCTAssertNil(Statistics.mean([]))
        XCTAssertEqual(Statistics.mean([0.25, 0.5, 0.75]), 0.5)
        let means = try XCTUnwrap(SeedPairs(method: [0.2, 0.4], other: [0.1, 0.2]).means)
        XCTAssertEqual(means.method, 0.3, accuracy: 1e-15)
        XCTAssertEqual(means.other, 0.15, accuracy: 1e-15)
        XCTAssertNil(SeedPairs(method: [], other: []).means, "no seed in common, nothing to compare")
    }

    /// Reference values from an independent implementation (SciPy's ttest_rel and betainc).
    func testPairedTTestAndIncompleteBeta() throws {
        let (t, p) = try XCTUnwrap(Statistics.pairedTTest([1, 2, 3, 4], [0, 0, 1, 1]))
        XCTAssertEqual(t, 4.898979485566356, accuracy: 1e-9)
        XCTAssertEqual(p, 0.016276603459428555, accuracy: 1e-7)
        XCTAssertEqual(Statistics.regularisedIncompleteBeta(x: 0.5, a: 2, b: 3), 0.6875, accuracy: 1e-10)
        XCTAssertEqual(Statistics.regularisedIncompleteBeta(x: 0.9, a: 0.5, b: 2.5), 0.9988855624584926, accuracy: 1e-9)
        XCTAssertEqual(Statistics.regularisedIncompleteBeta(x: 0.3, a: 10, b: 0.5), 1.2205229279531696e-06, accuracy: 1e-12)
        XCTAssertNil(Statistics.pairedTTest([1, 2], [0, 1]), "equal differences have no variance")
        XCTAssertNil(Statistics.pairedTTest([1], [0]))
    }

    /// Holm by hand: m = 4, sorted 0.005 <= 0.05/4 and 0.01 <= 0.05/3 hold, 0.03 > 0.05/2 stops the procedure, so
    /// 0.04 is not significant either although it is below 0.05/1.
    func testHolmCorrectionByHand() {
        XCTAssertEqual(Statistics.holmSignificant([0.01, 0.04, 0.03, 0.005]), [true, false, false, true])
        XCTAssertEqual(Statistics.holmSignificant([0.044, 0.27, 0.5, 0.17, 0.21, 0.41]), [false, false, false, false, false, false])
        XCTAssertEqual(Statistics.holmSignificant([0.04]), [true])
        XCTAssertEqual(Statistics.holmSignificant([]), [])
    }

    func testResultsAreCachedByExperiment() throws {
        let folder = try FixtureFolder()
        let (workspace, results) = folder.offlineWorkspace()
        let spec = FixtureFolder.smallSyntheticSpec(epochs: 10)
        let first = try workspace.result(method: .student, spec: spec, results: results)
        XCTAssertEqual(first.history.epochsRun, 10)
        XCTAssertTrue(FileManager.default.fileExists(atPath: results.file(method: .student, spec: spec).path))
        // The second request is answered from the file, not retrained: same finish stamp.
        let second = try workspace.result(method: .student, spec: spec, results: results)
        XCTAssertEqual(second.finished, first.finished)
        XCTAssertEqual(second.test, first.test)
        XCTAssertEqual(second.matrixKernels, OpenBLASCore.name, "the kernel set is recorded")
        // Files written before the kernel set was recorded still load, without it.
        let file = results.file(method: .student, spec: spec)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        XCTAssertNotNil(json.removeValue(forKey: "matrixKernels"))
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        let older = try XCTUnwrap(results.load(method: .student, spec: spec))
        XCTAssertNil(older.matrixKernels)
        XCTAssertEqual(older.test, first.test)
        var other = spec
        other.seed = 2
        XCTAssertNil(results.load(method: .student, spec: other))
    }
}
