import Foundation
import XCTest
@testable import UnKD

/// The early-stopping rule on a hand-made sequence of validation scores.
final class EarlyStoppingTests: XCTestCase {
    /// Validation every 5 epochs, at most 42 epochs, stop after 3 validations without improvement.
    let configuration = TrainingConfiguration(learningRate: 0.01, decay: 0.001, maxEpochs: 42, evaluationInterval: 5,
                                              patience: 3)

    func testValidationEpochsAreTheMultiplesOfTheIntervalAndTheLast() {
        let rule = EarlyStopping(configuration)
        XCTAssertEqual((1...42).filter(rule.validates(after:)), [5, 10, 15, 20, 25, 30, 35, 40, 42])
    }

    func testTiesImproveAndThePatienceBoundaryStops() {
        var rule = EarlyStopping(configuration)
        XCTAssertEqual(rule.bestScore, -.infinity)
        // score, improvement?, validations without improvement after it, stop?
        let steps: [(Double, Bool, Int, Bool)] = [
            (0.10, true, 0, false),   // the first score always improves on nothing
            (0.12, true, 0, false),
            (0.12, true, 0, false),   // a tie counts as an improvement: the later epoch is kept
            (0.11, false, 1, false),
            (0.13, true, 0, false),   // an improvement resets the count
            (0.125, false, 1, false),
            (0.129, false, 2, false), // one short of the patience: go on
            (0.13, true, 0, false),   // a tie with the best, after two misses: kept, count reset
            (0.05, false, 1, false),
            (0.12, false, 2, false),
            (0.1299, false, 3, true), // the third miss in a row: stop
        ]
        for (n, (score, improves, without, stops)) in steps.enumerated() {
            XCTAssertEqual(rule.record(score), improves, "validation \(n + 1)")
            XCTAssertEqual(rule.evaluationsWithoutImprovement, without, "validation \(n + 1)")
            XCTAssertEqual(rule.shouldStop, stops, "validation \(n + 1)")
        }
        XCTAssertEqual(rule.bestScore, 0.13)
    }

    /// A resumed fit rebuilds the rule from its history: the curve's best score and the validations after the kept
    /// epoch, the same state as the rule that lived through them.
    func testTheRuleAfterAHistoryIsTheRuleThatRanIt() {
        var live = EarlyStopping(configuration)
        var history = TrainingHistory()
        for (k, score) in [0.10, 0.12, 0.12, 0.11, 0.115].enumerated() {
            let epoch = 5 * (k + 1)
            history.epochsRun = epoch
            history.curve.append(ValidationPoint(epoch: epoch, ndcg: score, loss: 0))
            if live.record(score) { history.bestEpoch = epoch }
            XCTAssertEqual(EarlyStopping(configuration, after: history), live, "after epoch \(epoch)")
        }
        XCTAssertEqual(history.bestEpoch, 15)
        XCTAssertEqual(live.evaluationsWithoutImprovement, 2)
        XCTAssertEqual(EarlyStopping(configuration, after: TrainingHistory()), EarlyStopping(configuration))
    }
}

/// When a fit hands out a checkpoint.
final class CheckpointPolicyTests: XCTestCase {
    func testACheckpointIsDueAfterItsIntervalButNeverAfterTheLastEpoch() {
        let policy = CheckpointPolicy(interval: 120) { _ in }
        let start = Date(timeIntervalSinceReferenceDate: 0)
        XCTAssertFalse(policy.isDue(after: 5, maxEpochs: 10, since: start, now: start.addingTimeInterval(119.9)))
        XCTAssertTrue(policy.isDue(after: 5, maxEpochs: 10, since: start, now: start.addingTimeInterval(120)))
        XCTAssertFalse(policy.isDue(after: 10, maxEpochs: 10, since: start, now: start.addingTimeInterval(1000)))
        XCTAssertTrue(CheckpointPolicy(interval: 0) { _ in }.isDue(after: 9, maxEpochs: 10, since: start, now: start))
    }
}
