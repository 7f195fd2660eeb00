import XCTest
@testable import UnKD

final class OptimiserAndMetricTests: XCTestCase {
    /// Two Adam steps computed by hand with PyTorch's formulas.
    func testAdamMatchesHandComputedSteps() {
        var parameters: [Float] = [1, -2, 0.5, 0, 0, 0, 0, 0]
        var adam = Adam(learningRate: 0.1, count: 8)
        var gradient: [Float] = [0.5, -1, 0, 0, 0, 0, 0, 0]
        adam.update(&parameters, gradient: &gradient, stride: 8, touchedRows: nil)
        // Step 1: m = 0.1 g, v = 0.001 g^2, corrected m/sqrt(v) = sign(g), so p -= 0.1 * g / (|g| + 1e-8).
        XCTAssertEqual(parameters[0], 1 - 0.1, accuracy: 1e-6)
        XCTAssertEqual(parameters[1], -2 + 0.1, accuracy: 1e-6)
        XCTAssertEqual(parameters[2], 0.5)
        XCTAssertEqual(gradient, [Float](repeating: 0, count: 8), "the consumed gradient is cleared")
        // Step 2 with gradient 0 on the first coordinate: m = 0.9 * 0.05 = 0.045, v = 0.999 * 0.00025,
        // p -= (0.1 / (1 - 0.81)) * 0.045 / (sqrt(v) / sqrt(1 - 0.998001) + 1e-8).
        adam.update(&parameters, gradient: &gradient, stride: 8, touchedRows: [])
        let v2 = 0.999 * 0.00025, expectedStep = (0.1 / 0.19) * 0.045 / (v2.squareRoot() / (1 - 0.998001).squareRoot() + 1e-8)
        XCTAssertEqual(Double(parameters[0]), 0.9 - expectedStep, accuracy: 1e-5)
    }

    func testLazyAdamLeavesUntouchedRowsAlone() {
        var parameters: [Float] = [Float](repeating: 1, count: 16)
        var adam = Adam(learningRate: 0.1, count: 16, variant: .lazy)
        var gradient = [Float](repeating: 0, count: 16)
        gradient[0] = 1; gradient[8] = 1
        adam.update(&parameters, gradient: &gradient, stride: 8, touchedRows: [0, 1])
        gradient[0] = 1
        adam.update(&parameters, gradient: &gradient, stride: 8, touchedRows: [0])
        XCTAssertEqual(parameters[8], 0.9, accuracy: 1e-6, "row 1 moved only in the step that touched it")
    }

    func testRecallAndNDCGByHand() {
        let ranked: ArraySlice<Int32> = [5, 3, 9, 1, 7]
        let relevant: ArraySlice<Int32> = [1, 3, 8]
        // Hits at positions 2 and 4 of the top 5.
        XCTAssertEqual(RankingMetrics.recall(ranked, relevant: relevant, n: 5), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.recall(ranked, relevant: relevant, n: 2), 1.0 / 3, accuracy: 1e-12)
        let dcg = 1 / log2(3.0) + 1 / log2(5.0), idcg = 1 + 1 / log2(3.0) + 1 / log2(4.0)
        XCTAssertEqual(RankingMetrics.ndcg(ranked, relevant: relevant, n: 5), dcg / idcg, accuracy: 1e-12)
        // IDCG over min(N, |T|): with N = 2 the ideal has two hits.
        XCTAssertEqual(RankingMetrics.ndcg(ranked, relevant: relevant, n: 2), (1 / log2(3.0)) / (1 + 1 / log2(3.0)), accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.recall(ranked, relevant: [], n: 5), 0)
    }

    func testGiniByHand() {
        XCTAssertEqual(RankingMetrics.gini([3, 3, 3]), 0, accuracy: 1e-12)
        // One of four items takes everything: (2 * 4 * c) / (4 * c) - 5/4 = 0.75.
        XCTAssertEqual(RankingMetrics.gini([0, 0, 0, 7]), 0.75, accuracy: 1e-12)
    }

    func testTopNExcludesTrainingItemsAndBreaksTiesByItemID() {
        let scores: [Float] = [0.5, 0.9, 0.9, 0.1, 0.9, 0.7]
        var top: [Int32] = []
        scores.withUnsafeBufferPointer { TopN.select($0.baseAddress!, count: 6, n: 3, excluding: [2], into: &top) }
        XCTAssertEqual(top, [1, 4, 5])
        scores.withUnsafeBufferPointer { TopN.select($0.baseAddress!, count: 6, n: 10, excluding: [], into: &top) }
        XCTAssertEqual(top, [1, 2, 4, 5, 0, 3])
    }

    /// The evaluator on a hand-made case: items 0, 1 popular, 2, 3 not, 4 never trained on (in no group).
    func testEvaluatorGroupRecallExposureAndLongTail() {
        let train = InteractionMatrix(itemCount: 5, rows: [[0, 1], [0, 1], [2, 3], [2, 3]])
        let test = InteractionMatrix(itemCount: 5, rows: [[2, 4], [3], [0], []])
        let split = DataSplit(train: train, validation: InteractionMatrix(userCount: 4, itemCount: 5), test: test)
        let evaluator = Evaluator(split: split, part: .test, cutoffs: [1, 2])
        XCTAssertEqual(evaluator.users, [0, 1, 2])
        XCTAssertEqual(evaluator.groups.groups, [[0, 1], [2, 3]])
        let report = evaluator.evaluate(lists: [[2, 3], [3, 4], [4, 1]])
        // Recall@2: user 0 finds 2 of {2, 4}, user 1 finds 3 of {3}, user 2 misses 0.
        XCTAssertEqual(report.at(2)!.recall, (0.5 + 1 + 0) / 3, accuracy: 1e-12)
        // Unpopular {2, 3}: users 0 and 1 each find their one item; user 2 has none and counts as 0 in the official
        // normalisation, and not at all among eligible users.
        XCTAssertEqual(report.group(.unpopular, at: 2)!.recall, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(report.group(.unpopular, at: 2)!.recallEligibleUsers, 1, accuracy: 1e-12)
        XCTAssertEqual(report.group(.popular, at: 2)!.recall, 0)
        XCTAssertEqual(report.group(.popular, at: 2)!.eligibleUsers, 1)
        XCTAssertEqual(report.group(.unpopular, at: 1)!.recall, 2.0 / 3, accuracy: 1e-12)
        // Exposure at 2: grouped list entries 2, 3, 3, 1 (item 4 has no group); held out 2, 3, 0.
        XCTAssertEqual(report.exposure.first { $0.n == 2 }!.recommended, [0.25, 0.75])
        XCTAssertEqual(report.exposure.first { $0.n == 2 }!.heldOut[0], 1.0 / 3, accuracy: 1e-12)
        let tail = report.longTail.first { $0.n == 2 }!
        XCTAssertEqual(tail.coverage, 4.0 / 5, accuracy: 1e-12)
        XCTAssertEqual(tail.averagePopularity, 8.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(tail.tailShare, 3.0 / 6, accuracy: 1e-12)
    }

    /// Scoring through BLAS and top-N gives the same lists as a direct computation.
    func testTopListsMatchBruteForce() {
        let data = SyntheticData(.small, seed: 2).dataset
        let split = DataSplit.make(data, protocol: .unkdCode, seed: 3)
        let model = Recommender(ModelConfiguration(backbone: .mf, dimension: 7), userCount: data.userCount, itemCount: data.itemCount, seed: 4)
        var evaluator = Evaluator(split: split, part: .test)
        evaluator.blockSize = 37  // several blocks, one partial
        let lists = evaluator.topLists(model.parameters, userCount: data.userCount)
        for (k, user) in evaluator.users.enumerated().prefix(40) {
            let candidates = (0..<data.itemCount).filter { !split.train.contains(user: Int(user), item: Int32($0)) }
            let scored = candidates.map { item -> (Float, Int) in
                var s: Float = 0
                for d in 0..<7 { s += model.parameters[Int(user), d] * model.parameters[data.userCount + item, d] }
                return (s, item)
            }.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            let expected = scored.prefix(20).map { Int32($0.1) }
            // BLAS may round differently from the loop above; compare the sets of the top 15 to stay clear of near-ties.
            XCTAssertEqual(Set(lists[k].prefix(15)), Set(expected.prefix(15)), "user \(user)")
        }
    }
}
