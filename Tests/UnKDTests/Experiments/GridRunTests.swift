import XCTest
@testable import UnKD

final class GridRunTests: XCTestCase {
    /// The grid runner reads stored results, trains only when asked, skips a dataset it cannot obtain without
    /// failing, and pairs two cells by seed (not by position) for the paired test.
    func testRunnerTrainsOnlyWhenAskedAndPairsBySeed() throws {
        let folder = try FixtureFolder()
        let (workspace, results) = folder.offlineWorkspace()
        var training = TrainingConfiguration(learningRate: 0.01, decay: 0.001)
        training.maxEpochs = 5
        func run(_ method: PaperMethod, decay: Double, seed: UInt64, dataset: DatasetName = .synthetic) -> GridRun {
            var configuration = training
            configuration.decay = decay
            return GridRun(method: method, backbone: .mf, spec: ModelSpec(
                dataset: dataset, model: ModelConfiguration(backbone: .mf, dimension: 8), training: configuration, seed: seed))
        }
        let runs = [1, 2, 3].map { run(.student, decay: 0.001, seed: $0) } + [2, 3, 4].map { run(.unkd, decay: 0.01, seed: $0) }
            + [run(.student, decay: 0.001, seed: 1, dataset: "no-such-dataset"), run(.student, decay: 0.001, seed: 2, dataset: "no-such-dataset")]

        let stored = try workspace.run(runs, results: results, trainMissing: false)
        XCTAssertEqual(stored.missing, runs.count)
        XCTAssertFalse(stored.hasResults("synthetic"))

        let trained = try workspace.run(runs, results: results)
        XCTAssertEqual(trained.results("synthetic", .mf, .row(.student)).map(\.spec.seed), [1, 2, 3])
        XCTAssertEqual(trained.unavailable, ["no-such-dataset"])
        XCTAssertEqual(trained.missing, 2, "both runs of the unavailable dataset are missing, and it is tried once")
        let paired = trained.pairedRecallAt10("synthetic", .mf, .row(.student), .row(.unkd))
        let student = trained.results("synthetic", .mf, .row(.student)), other = trained.results("synthetic", .mf, .row(.unkd))
        XCTAssertEqual(paired.method, student.filter { $0.spec.seed >= 2 }.map { $0.test.at(10)!.recall })
        XCTAssertEqual(paired.other, other.filter { $0.spec.seed <= 3 }.map { $0.test.at(10)!.recall })

        // Now every run of the available dataset is stored: reading them trains nothing.
        let again = try workspace.run(runs, results: results, trainMissing: false)
        XCTAssertEqual(again.missing, 2)
        XCTAssertEqual(again.results("synthetic", .mf, .row(.unkd)).map(\.finished), other.map(\.finished))
    }
}
