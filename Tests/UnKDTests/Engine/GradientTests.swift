import XCTest
@testable import UnKD

/// Finite-difference checks of every hand-written gradient of the base training step.
final class GradientTests: XCTestCase {
    /// A tiny split: 4 users, 6 items.
    let split = DataSplit(
        train: InteractionMatrix(itemCount: 6, rows: [[0, 1], [1, 2, 3], [0, 4], [5, 2]]),
        validation: InteractionMatrix(userCount: 4, itemCount: 6),
        test: InteractionMatrix(userCount: 4, itemCount: 6))
    let batch = TrainingBatch(users: [0, 1, 1, 3, 2], positives: [1, 2, 3, 5, 4], negatives: [2, 0, 5, 1, 3])

    func checkGradient(_ configuration: ModelConfiguration, decay: Double, file: StaticString = #filePath, line: UInt = #line) {
        GradientCheck.assertMatchesFiniteDifferences(configuration, split: split, batch: batch, decay: decay, file: file, line: line)
    }

    func testBPRMatrixFactorisation() {
        checkGradient(ModelConfiguration(backbone: .mf, dimension: 5), decay: 0)
        checkGradient(ModelConfiguration(backbone: .mf, dimension: 12), decay: 0.3)
    }

    func testPopularityDeconfoundedObjective() {
        checkGradient(ModelConfiguration(backbone: .mf, dimension: 6, objective: .popularityDeconfounded(alpha: 0.3)), decay: 0.1)
    }

    func testLightGCNPropagationAndEgoL2() {
        checkGradient(ModelConfiguration(backbone: .lightGCN, dimension: 6, layers: 1), decay: 0.2)
        checkGradient(ModelConfiguration(backbone: .lightGCN, dimension: 3, layers: 2), decay: 0)
        checkGradient(ModelConfiguration(backbone: .lightGCN, dimension: 4, layers: 3, objective: .popularityDeconfounded(alpha: 0.2)), decay: 0.05)
    }

    func testNormalisedAdjacencyByHand() {
        // Users 0, 1; items 0, 1; interactions (0,0), (0,1), (1,1). Degrees: u0 2, u1 1, i0 1, i1 2.
        let graph = NormalisedAdjacency(train: InteractionMatrix(itemCount: 2, rows: [[0, 1], [1]]))
        XCTAssertEqual(graph.rowStart, [0, 2, 3, 4, 6])
        XCTAssertEqual(graph.neighbours, [2, 3, 3, 0, 0, 1])
        let expected: [Float] = [1 / 2.0.squareRoot(), 0.5, 1 / 2.0.squareRoot(), 1 / 2.0.squareRoot(), 0.5, 1 / 2.0.squareRoot()].map(Float.init)
        for (a, b) in zip(graph.weights, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}

/// Compares a trainer's hand-written gradient with central differences of its loss, on every meaningful parameter.
enum GradientCheck {
    static func assertMatchesFiniteDifferences(_ configuration: ModelConfiguration, split: DataSplit, batch: TrainingBatch,
                                               decay: Double, distillation: DistillationTerm? = nil,
                                               file: StaticString = #filePath, line: UInt = #line) {
        let model = Recommender(configuration, userCount: split.train.userCount, itemCount: split.train.itemCount, seed: 11)
        let trainer = Trainer(model: model, split: split, configuration: TrainingConfiguration(learningRate: 0.01, decay: decay), seed: 1)
        trainer.distillation = distillation
        _ = trainer.computeGradient(batch, epoch: 1)
        let analytic = trainer.gradient
        trainer.gradient = [Float](repeating: 0, count: analytic.count)
        func loss() -> Double {
            let value = Double(trainer.computeGradient(batch, epoch: 1))
            trainer.gradient = [Float](repeating: 0, count: analytic.count)
            return value
        }
        let h: Float = 1e-2
        let table = trainer.model.parameters
        var worst = 0.0
        for r in 0..<table.rows {
            for k in 0..<table.dimension {
                let index = r * table.stride + k
                let original = trainer.model.parameters.values[index]
                trainer.model.parameters.values[index] = original + h
                let up = loss()
                trainer.model.parameters.values[index] = original - h
                let down = loss()
                trainer.model.parameters.values[index] = original
                let numeric = (up - down) / Double(2 * h)
                let error = abs(numeric - Double(analytic[index])) / max(1e-3, abs(numeric) + abs(Double(analytic[index])))
                worst = max(worst, error)
            }
            for k in table.dimension..<table.stride {
                XCTAssertEqual(analytic[r * table.stride + k], 0, "padding got a gradient", file: file, line: line)
            }
        }
        XCTAssertLessThan(worst, 2e-2, "\(configuration.label): worst relative error \(worst)", file: file, line: line)
    }
}
