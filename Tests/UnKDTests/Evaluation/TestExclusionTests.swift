import XCTest
@testable import UnKD

/// Which items a ranking may contain: the test lists leave out validation items as well as training items, the
/// validation lists only training items.
final class TestExclusionTests: XCTestCase {
    /// One user, five items, scores favouring low ids; item 0 is trained on, item 1 is the validation item, item 2 the
    /// test item (the paper-text shape: the user has both).
    private func split() -> DataSplit {
        DataSplit(train: InteractionMatrix(itemCount: 5, rows: [[0]]),
                  validation: InteractionMatrix(itemCount: 5, rows: [[1]]),
                  test: InteractionMatrix(itemCount: 5, rows: [[2]]))
    }

    /// d = 1 embeddings: the user is 1, item i scores 5 - i, so the ranking by score is 0, 1, 2, 3, 4.
    private func embeddings() -> EmbeddingTable {
        var table = EmbeddingTable(rows: 6, dimension: 1)
        table[0, 0] = 1
        for item in 0..<5 { table[1 + item, 0] = Float(5 - item) }
        return table
    }

    func testTestListsSkipTrainingAndValidationItems() {
        let evaluator = Evaluator(split: split(), part: .test, cutoffs: [1, 2])
        XCTAssertEqual(evaluator.topLists(embeddings(), userCount: 1), [[2, 3]])
        let report = evaluator.evaluate(embeddings(), userCount: 1)
        // The test item is first once item 1 (validation) is left out: Recall@1 = 1, NDCG@1 = 1.
        XCTAssertEqual(report.at(1)?.recall, 1)
        XCTAssertEqual(report.at(1)?.ndcg, 1)
    }

    func testValidationListsSkipTrainingItemsOnly() {
        let evaluator = Evaluator(split: split(), part: .validation, cutoffs: [1, 2])
        XCTAssertEqual(evaluator.topLists(embeddings(), userCount: 1), [[1, 2]])
        XCTAssertEqual(evaluator.evaluate(embeddings(), userCount: 1).at(1)?.recall, 1)
    }

    func testUnionKeepsEachPairOnce() {
        let a = InteractionMatrix(itemCount: 4, rows: [[0, 2], [], [3]])
        let b = InteractionMatrix(itemCount: 4, rows: [[2, 1], [3], []])
        XCTAssertEqual(a.union(b).rows, [[0, 1, 2], [3], [3]])
    }

    /// A result of the paper-text protocol written before test lists left out validation items is stale; one of the
    /// official protocol is not, since its test users have no validation items.
    func testFormatOneResultsOfThePaperTextProtocolAreStale() throws {
        let grid = PaperGrid(dataset: "synthetic", splitProtocol: .paperText)
        var result = ExperimentResult(
            method: .student, spec: grid.student(.mf, seed: 1), splitFingerprint: "",
            history: TrainingHistory(), test: EvaluationReport(users: 0, overall: [], groups: [], exposure: [], longTail: []),
            finished: "", matrixKernels: nil)
        XCTAssertTrue(result.isCurrent)
        result.format = 1
        XCTAssertFalse(result.isCurrent)
        result.spec.splitProtocol = .unkdCode
        XCTAssertTrue(result.isCurrent)
    }

    /// A damaged result file is a reported gap, or with a strict store an error naming the file.
    func testDamagedResultFileIsReportedOrRefused() throws {
        let folder = try FixtureFolder()
        let spec = PaperGrid(dataset: "synthetic").student(.mf, seed: 1)
        let lenient = ResultStore(folder: folder.url)
        let url = lenient.file(method: .student, spec: spec)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: url)
        XCTAssertNil(lenient.load(method: .student, spec: spec))
        XCTAssertNil(try lenient.stored(method: .student, spec: spec))
        XCTAssertThrowsError(try ResultStore(folder: folder.url, strict: true).stored(method: .student, spec: spec)) { error in
            XCTAssertTrue((error as? UnKDError)?.description.hasPrefix(url.path) == true, "\(error)")
        }
        try FileManager.default.removeItem(at: url)
        XCTAssertNil(try ResultStore(folder: folder.url, strict: true).stored(method: .student, spec: spec), "an absent file is no error")
    }
}
