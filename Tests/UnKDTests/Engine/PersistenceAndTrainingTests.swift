import Foundation
import XCTest
@testable import UnKD

final class PersistenceAndTrainingTests: XCTestCase {
    let data = SyntheticData(.small, seed: 9).dataset
    lazy var split = DataSplit.make(data, protocol: .unkdCode, seed: 1)

    func request(_ model: ModelConfiguration, seed: UInt64 = 3) -> ModelRequest {
        ModelRequest(dataset: "synthetic", splitProtocol: .unkdCode, splitSeed: 1, splitFingerprint: split.fingerprint,
                     model: model, training: TrainingConfiguration(learningRate: 0.01, decay: 0.001), seed: seed)
    }

    func testSaveLoadRoundTripAndDamageDetection() throws {
        let folder = try FixtureFolder()
        let reports = CollectedLines()
        var store = ModelStore(folder: folder.url)
        store.report = { reports.add($0) }
        let configuration = ModelConfiguration(backbone: .lightGCN, dimension: 10, layers: 2)
        let model = Recommender(configuration, userCount: data.userCount, itemCount: data.itemCount, seed: 5)
        var history = TrainingHistory()
        history.bestEpoch = 15
        history.curve = [ValidationPoint(epoch: 5, ndcg: 0.25, loss: 0.5)]
        try store.save(model, history: history, for: request(configuration))

        let (loaded, loadedHistory) = try XCTUnwrap(store.load(request(configuration)))
        XCTAssertEqual(loaded.parameters, model.parameters)
        XCTAssertEqual(loaded.configuration, configuration)
        XCTAssertEqual(loadedHistory, history)

        // A different request (another seed) does not find it.
        XCTAssertNil(store.load(request(configuration, seed: 4)))
        // A file altered on disk is detected, reported, and not used.
        let file = store.file(for: request(configuration))
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: file)
        XCTAssertNil(store.load(request(configuration)))
        XCTAssertTrue(reports.all.last?.contains("checksum") == true, "\(reports.all)")
        // A truncated file likewise.
        try bytes.prefix(100).write(to: file)
        XCTAssertNil(store.load(request(configuration)))
        XCTAssertEqual(reports.all.count, 2)
        // No temporary files are left beside the model.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers.filter { $0.hasSuffix(".tmp") }, [])
    }

    func testTrainingIsDeterministicInTheSeedAndLearns() {
        func train(seed: UInt64) -> (EmbeddingTable, TrainingHistory) {
            let model = Recommender(ModelConfiguration(backbone: .mf, dimension: 16), userCount: data.userCount,
                                    itemCount: data.itemCount, seed: seed)
            let trainer = Trainer(model: model, split: split,
                                  configuration: TrainingConfiguration(learningRate: 0.01, decay: 0.001, batchSize: 256, maxEpochs: 30),
                                  seed: seed)
            let history = trainer.fit(validation: Evaluator(split: split, part: .validation))
            return (trainer.model.parameters, history)
        }
        let (a, historyA) = train(seed: 1), (b, _) = train(seed: 1), (c, _) = train(seed: 2)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(historyA.curve.count, 6)
        // The history names the best validation of its curve, and the fit returns that epoch's parameters, not the last.
        let best = historyA.curve.max { $0.ndcg < $1.ndcg }!
        XCTAssertEqual(historyA.bestScore, best.ndcg)
        XCTAssertEqual(historyA.bestEpoch, best.epoch)
        XCTAssertEqual(Evaluator(split: split, part: .validation).stoppingScore(a, userCount: data.userCount), historyA.bestScore,
                       accuracy: 1e-12)
        // Better than an untrained model by a wide margin.
        let untrained = Recommender(ModelConfiguration(backbone: .mf, dimension: 16), userCount: data.userCount,
                                    itemCount: data.itemCount, seed: 1)
        let baseline = Evaluator(split: split, part: .validation).stoppingScore(untrained.parameters, userCount: data.userCount)
        XCTAssertGreaterThan(historyA.bestScore, baseline * 2)
    }

    func testEarlyStoppingKeepsTheBestParameters() {
        // A learning rate far too high makes validation worsen after the first evaluations.
        let model = Recommender(ModelConfiguration(backbone: .mf, dimension: 16), userCount: data.userCount,
                                itemCount: data.itemCount, seed: 1)
        let configuration = TrainingConfiguration(learningRate: 0.01, decay: 0, batchSize: 64, maxEpochs: 200,
                                                  evaluationInterval: 1, patience: 3)
        let trainer = Trainer(model: model, split: split, configuration: configuration, seed: 1)
        let validation = Evaluator(split: split, part: .validation)
        let history = trainer.fit(validation: validation)
        XCTAssertLessThan(history.epochsRun, 200, "stopped early")
        XCTAssertEqual(history.epochsRun, history.bestEpoch + 3)
        XCTAssertEqual(validation.stoppingScore(trainer.model.parameters, userCount: data.userCount), history.bestScore, accuracy: 1e-12)
    }

    func testNegativesAreNeverTrainingPositivesAndEveryInteractionAppearsOnce() {
        var random = RandomSource(seed: 8)
        let triples = TrainingTriples.draw(split.train, random: &random)
        XCTAssertEqual(triples.count, split.train.interactionCount)
        var pairs = Set<[Int32]>()
        for k in 0..<triples.count {
            XCTAssertTrue(split.train.contains(user: Int(triples.users[k]), item: triples.positives[k]))
            XCTAssertFalse(split.train.contains(user: Int(triples.users[k]), item: triples.negatives[k]))
            pairs.insert([triples.users[k], triples.positives[k]])
        }
        XCTAssertEqual(pairs.count, split.train.interactionCount)
        var again = RandomSource(seed: 8)
        XCTAssertEqual(TrainingTriples.draw(split.train, random: &again).negatives, triples.negatives)
    }

    /// The shuffle is uniform: every row is equally likely to land in the first position.
    func testShuffleIsUniform() {
        let train = InteractionMatrix(itemCount: 40, rows: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
        var random = RandomSource(seed: 4)
        var first = [Int](repeating: 0, count: 10)
        for _ in 0..<20_000 { first[Int(TrainingTriples.draw(train, random: &random).positives[0])] += 1 }
        let chiSquare = first.reduce(0.0) { $0 + pow(Double($1) - 2000, 2) / 2000 }
        XCTAssertLessThan(chiSquare, 27.88)  // 0.001 quantile, 9 degrees of freedom
    }
}
