import Foundation
import XCTest
@testable import UnKD

final class RDTests: XCTestCase {
    /// A tiny split: 5 users, 8 items, each user with 5 or 6 candidate items.
    static let tiny: DataSplit = {
        let train = InteractionMatrix(itemCount: 8, rows: [[0, 1], [1, 2, 3], [0, 4], [5, 2], [0, 1, 6]])
        return DataSplit(train: train, validation: InteractionMatrix(userCount: 5, itemCount: 8),
                         test: InteractionMatrix(userCount: 5, itemCount: 8))
    }()
    static let tinyTeacher = Recommender(ModelConfiguration(backbone: .mf, dimension: 8), userCount: 5, itemCount: 8, seed: 4).parameters
    static let tinyBatch = TrainingBatch(users: [0, 1, 4, 4], positives: [1, 2, 6, 0], negatives: [3, 7, 2, 5])

    static func teacherScore(_ teacher: EmbeddingTable, user: Int, item: Int32, userCount: Int) -> Float {
        (0..<teacher.dimension).reduce(Float(0)) { $0 + teacher[user, $1] * teacher[userCount + Int(item), $1] }
    }

    func testStaticWeightsByHand() {
        let e1 = exp(-1.0), e2 = exp(-2.0), e3 = exp(-3.0), total = e1 + e2 + e3
        let weights = RDConfiguration(topCount: 3).staticWeights()
        XCTAssertEqual(weights.count, 3)
        for (w, expected) in zip(weights, [e1, e2, e3]) { XCTAssertEqual(Double(w), expected / total, accuracy: 1e-7) }
        // lambda = 2: exp(-1/2), exp(-1), exp(-3/2).
        let wider = RDConfiguration(topCount: 3, lambda: 2).staticWeights()
        let h1 = exp(-0.5), h2 = exp(-1.0), h3 = exp(-1.5)
        for (w, expected) in zip(wider, [h1, h2, h3]) { XCTAssertEqual(Double(w), expected / (h1 + h2 + h3), accuracy: 1e-7) }
        XCTAssertEqual(Double(RDConfiguration().staticWeights().reduce(0, +)), 1, accuracy: 1e-6)
    }

    /// K = 3 over 11 items, 4 samples scored 1.0, 0.6, 0.3, 0.0, top items scored 0.6, 0.5, 2.0:
    /// n = (1, 2, 0) samples above (ties do not count), r = floor(10 n / 4) + 1 = (3, 6, 1), and the factors
    /// tanh(0.1 * (r - k)) are tanh(0.3), tanh(0.5) and max(0, tanh(-0.1)) = 0.
    func testDynamicWeightsByHand() {
        let staticWeights = RDConfiguration(topCount: 3).staticWeights()
        var top: [Float] = [0.6, 0.5, 2.0]
        let samples: [Float] = [1.0, 0.6, 0.3, 0.0]
        func weights(renormalise: Bool) -> [Float] {
            var out = [Float](repeating: -1, count: 3)
            top.withUnsafeMutableBufferPointer { top in
                samples.withUnsafeBufferPointer { samples in
                    staticWeights.withUnsafeBufferPointer { w in
                        out.withUnsafeMutableBufferPointer { out in
                            RDDistiller.dynamicWeights(topScores: top, sampleScores: samples, itemCount: 11,
                                                       factors: RDDistiller.DynamicFactors(mu: 0.1, itemCount: 11),
                                                       staticWeights: w.baseAddress!, renormalise: renormalise, into: out)
                        }
                    }
                }
            }
            return out
        }
        let raw = [Double(staticWeights[0]) * tanh(0.3), Double(staticWeights[1]) * tanh(0.5), 0]
        for (w, expected) in zip(weights(renormalise: false), raw) { XCTAssertEqual(Double(w), expected, accuracy: 1e-6) }
        let total = raw.reduce(0, +)
        for (w, expected) in zip(weights(renormalise: true), raw) { XCTAssertEqual(Double(w), expected / total, accuracy: 1e-6) }
    }

    /// The vector count behind the dynamic weights: 19 values (two full registers and a tail of 3), ties with the
    /// threshold in both parts, against a count by hand.
    func testCountGreaterCountsStrictlyGreaterValuesInTheVectorPartAndTheTail() {
        let values: [Float] = [0.5, 2, -1, 0.5, 3, 0, 0.7, 0.5,   // 3 above 0.5 (2, 3, 0.7)
                               1, 1, -2, 0.4, 0.6, 0.5, 9, -0.1,  // 4 above (1, 1, 0.6, 9)
                               0.5, 0.51, -3]                     // 1 above (0.51)
        values.withUnsafeBufferPointer { v in
            XCTAssertEqual(VectorKernels.countGreater(than: 0.5, in: v.baseAddress!, count: 19), 8)
            XCTAssertEqual(VectorKernels.countGreater(than: 0.5, in: v.baseAddress!, count: 8), 3)
            XCTAssertEqual(VectorKernels.countGreater(than: 0.5, in: v.baseAddress!, count: 3), 1)
            XCTAssertEqual(VectorKernels.countGreater(than: 0.5, in: v.baseAddress!, count: 0), 0)
            XCTAssertEqual(VectorKernels.countGreater(than: 10, in: v.baseAddress!, count: 19), 0)
            XCTAssertEqual(VectorKernels.countGreater(than: -10, in: v.baseAddress!, count: 19), 19)
        }
    }

    func testTopListsAreTheTeachersBestItemsOutsideTraining() {
        let (split, teacher) = UnKDTests.fixture
        let users = split.train.userCount
        let rd = RDDistiller(configuration: RDConfiguration(), teacher: teacher, train: split.train, seed: 1)
        for user in stride(from: 0, to: users, by: 5) {
            let list = Array(rd.topItems[rd.topStart[user]..<rd.topStart[user + 1]])
            XCTAssertEqual(list.count, 30)
            XCTAssertEqual(Set(list).count, 30, "a top list repeats an item")
            XCTAssertFalse(list.contains { split.train.contains(user: user, item: $0) }, "a training positive in user \(user)'s top list")
            let scores = list.map { Self.teacherScore(teacher, user: user, item: $0, userCount: users) }
            for k in 1..<scores.count { XCTAssertGreaterThanOrEqual(scores[k - 1], scores[k] - 1e-5, "user \(user) not best first") }
            let kept = Set(list)
            for item in (0..<Int32(split.train.itemCount)) where !kept.contains(item) && !split.train.contains(user: user, item: item) {
                XCTAssertLessThanOrEqual(Self.teacherScore(teacher, user: user, item: item, userCount: users), scores.last! + 1e-5)
            }
        }
    }

    func testNonPositiveIndexingEnumeratesTheMissingItemsInOrder() {
        let positives: [Int32] = [0, 3, 4, 9]
        let missing = (0..<Int32(12)).filter { !positives.contains($0) }
        XCTAssertEqual((0..<missing.count).map { RDDistiller.nonPositive($0, positives: positives[...]) }, missing)
        XCTAssertEqual((0..<5).map { RDDistiller.nonPositive($0, positives: []) }, [0, 1, 2, 3, 4])
    }

    func testDynamicSamplesAreDrawnFromEpoch100AndAvoidTrainingItems() {
        let (split, teacher) = UnKDTests.fixture
        let rd = RDDistiller(configuration: RDConfiguration(), teacher: teacher, train: split.train, seed: 1)
        rd.beginEpoch(99)
        XCTAssertTrue(rd.dynamicItems.isEmpty, "static epochs need no samples")
        rd.beginEpoch(100)
        let first = rd.dynamicItems
        var seen = Set<Int32>()
        for user in 0..<split.train.userCount {
            let samples = first[rd.dynamicStart[user]..<rd.dynamicStart[user + 1]]
            XCTAssertEqual(samples.count, 100)
            for item in samples {
                XCTAssertFalse(split.train.contains(user: user, item: item), "user \(user) sampled a training positive")
                if user == 0 { seen.insert(item) }
            }
        }
        XCTAssertGreaterThan(seen.count, 50, "100 uniform draws over ~170 candidates should hit many distinct items")
        rd.beginEpoch(101)
        XCTAssertNotEqual(rd.dynamicItems, first, "the samples are redrawn every epoch")
    }

    func testBaseWeightIsOneMinusKdAndKdOneLeavesNoBPR() {
        let split = Self.tiny
        XCTAssertEqual(RDDistiller(configuration: RDConfiguration(topCount: 3, weight: 0.3), teacher: Self.tinyTeacher,
                                   train: split.train, seed: 1).baseWeight, 0.7, accuracy: 1e-7)
        let rd = RDDistiller(configuration: RDConfiguration(topCount: 3), teacher: Self.tinyTeacher, train: split.train, seed: 1)
        XCTAssertEqual(rd.baseWeight, 0)
        let model = Recommender(ModelConfiguration(backbone: .mf, dimension: 6), userCount: 5, itemCount: 8, seed: 3)
        let trainer = Trainer(model: model, split: split, configuration: TrainingConfiguration(learningRate: 0.01, decay: 0.1), seed: 1)
        trainer.distillation = rd
        let total = trainer.computeGradient(Self.tinyBatch, epoch: 1)
        var alone = [Float](repeating: 0, count: model.parameters.values.count), touched: [Int32] = []
        let rdLoss = model.parameters.values.withUnsafeBufferPointer { final in
            alone.withUnsafeMutableBufferPointer { g in
                rd.accumulate(Self.tinyBatch, final: final.baseAddress!, gradient: g.baseAddress!, stride: model.parameters.stride,
                              userCount: 5, epoch: 1, touched: &touched)
            }
        }
        XCTAssertGreaterThan(rdLoss, 0)
        XCTAssertEqual(total, rdLoss, accuracy: 1e-6, "with kd = 1 neither BPR nor L2 remains")
        for (a, b) in zip(trainer.gradient, alone) { XCTAssertEqual(a, b, accuracy: 1e-7) }
    }

    func testDistillationSpecBuildsRD() throws {
        let configuration = RDConfiguration(topCount: 3, weight: 0.4)
        let method = DistillationMethod.rd(configuration)
        XCTAssertEqual(method.row.rawValue, "RD")
        XCTAssertEqual(try JSONDecoder().decode(DistillationMethod.self, from: JSONEncoder().encode(method)), method)
        let teacherConfiguration = ModelConfiguration(backbone: .mf, dimension: 8)
        let training = TrainingConfiguration(learningRate: 0.01, decay: 0.01)
        let teacher = TrainedModel(
            spec: ModelSpec(dataset: "tiny", model: teacherConfiguration, training: training, seed: 4),
            model: Recommender(configuration: teacherConfiguration, userCount: 5, itemCount: 8, parameters: Self.tinyTeacher),
            history: TrainingHistory(), graph: nil, loaded: false)
        let term = DistillationSpec(method: method, teacher: TeacherSpec(model: teacherConfiguration, training: training, seed: 4))
            .makeTerm(teacher: teacher, train: Self.tiny.train, student: training, studentModel: .student(.mf), seed: 1)
        let rd = try XCTUnwrap(term as? RDDistiller)
        XCTAssertEqual(rd.configuration, configuration)
        XCTAssertEqual(rd.baseWeight, 0.6, accuracy: 1e-7)
    }

    /// Finite differences of the whole step (BPR and L2 at weight 1 - kd, RD at kd) with the static weights of the
    /// epochs before 100.
    func testGradientWithStaticWeights() {
        let rd = RDDistiller(configuration: RDConfiguration(topCount: 3, weight: 0.6), teacher: Self.tinyTeacher,
                             train: Self.tiny.train, seed: 2)
        for configuration in [ModelConfiguration(backbone: .mf, dimension: 6), ModelConfiguration(backbone: .lightGCN, dimension: 5, layers: 1)] {
            GradientCheck.assertMatchesFiniteDifferences(configuration, split: Self.tiny, batch: Self.tinyBatch, decay: 0.1, distillation: rd)
        }
    }

    /// Finite differences with the dynamic weights (from epoch 1 here, since the check runs epoch 1).
    ///
    /// The dynamic factors depend on the scores only through the counts of samples scored above each top item, so the
    /// loss is piecewise smooth and the official gradient, which treats the factors as constants, is its derivative
    /// wherever no count changes. The check is made at such a point: among a few sample seeds, the first whose every
    /// (top item, sample) score gap in the batch exceeds what a finite-difference step can move it (a step h on one
    /// parameter moves a score by at most 2 h max|e| + h^2, a gap by twice that; the student is `GradientCheck`'s,
    /// seed 11). LightGCN's small initialisation leaves scores close together, so its check uses a wider embedding
    /// and two samples per user, for which such points exist.
    func testGradientWithDynamicWeightsHeldFixed() throws {
        let split = Self.tiny
        let step: Float = 1e-2
        let cases = [(ModelConfiguration(backbone: .mf, dimension: 6), 4), (ModelConfiguration(backbone: .lightGCN, dimension: 48, layers: 1), 2)]
        for (student, samples) in cases {
            let configuration = RDConfiguration(topCount: 3, mu: 0.5, dynamicSamples: samples, dynamicStartEpoch: 1, weight: 0.6)
            let model = Recommender(student, userCount: 5, itemCount: 8, seed: 11)
            let final = model.finalEmbeddings(graph: student.backbone == .lightGCN ? NormalisedAdjacency(train: split.train) : nil)
            let largest = final.values.map(abs).max()!
            let margin = 2 * (2 * step * largest + step * step)
            func score(_ user: Int, _ item: Int32) -> Float {
                (0..<final.dimension).reduce(Float(0)) { $0 + final[user, $1] * final[5 + Int(item), $1] }
            }
            func isRobust(_ rd: RDDistiller) -> Bool {
                for user in Set(Self.tinyBatch.users).map(Int.init) {
                    for top in rd.topItems[rd.topStart[user]..<rd.topStart[user + 1]] {
                        for sample in rd.dynamicItems[rd.dynamicStart[user]..<rd.dynamicStart[user + 1]] where sample != top {
                            if abs(score(user, top) - score(user, sample)) <= margin { return false }
                        }
                    }
                }
                return true
            }
            let robust = (0..<UInt64(200)).lazy.map { seed -> RDDistiller in
                let rd = RDDistiller(configuration: configuration, teacher: Self.tinyTeacher, train: split.train, seed: seed)
                rd.beginEpoch(1)
                return rd
            }.first(where: isRobust)
            let rd = try XCTUnwrap(robust, "no sample seed gives a point where the counts are locally constant")
            // Not vacuous: the dynamic factors change the loss at this point.
            var staticConfiguration = configuration
            staticConfiguration.dynamicStartEpoch = 1000
            let fixed = RDDistiller(configuration: staticConfiguration, teacher: Self.tinyTeacher, train: split.train, seed: 0)
            XCTAssertNotEqual(rdLoss(rd, final), rdLoss(fixed, final), accuracy: 1e-6)
            GradientCheck.assertMatchesFiniteDifferences(student, split: split, batch: Self.tinyBatch, decay: 0.1, distillation: rd)
        }
    }

    func rdLoss(_ rd: RDDistiller, _ final: EmbeddingTable, epoch: Int = 1) -> Float {
        var gradient = [Float](repeating: 0, count: final.values.count), touched: [Int32] = []
        return final.values.withUnsafeBufferPointer { f in
            gradient.withUnsafeMutableBufferPointer { g in
                rd.accumulate(Self.tinyBatch, final: f.baseAddress!, gradient: g.baseAddress!, stride: final.stride,
                              userCount: 5, epoch: epoch, touched: &touched)
            }
        }
    }

    func testWeightsTurnDynamicAtEpoch100() {
        let rd = RDDistiller(configuration: RDConfiguration(topCount: 3), teacher: Self.tinyTeacher, train: Self.tiny.train, seed: 1)
        let student = Recommender(ModelConfiguration(backbone: .mf, dimension: 6), userCount: 5, itemCount: 8, seed: 3).parameters
        var staticConfiguration = RDConfiguration(topCount: 3)
        staticConfiguration.dynamicStartEpoch = .max
        let fixed = RDDistiller(configuration: staticConfiguration, teacher: Self.tinyTeacher, train: Self.tiny.train, seed: 1)
        rd.beginEpoch(99)
        XCTAssertEqual(rdLoss(rd, student, epoch: 99), rdLoss(fixed, student, epoch: 99))
        rd.beginEpoch(100)
        XCTAssertNotEqual(rdLoss(rd, student, epoch: 100), rdLoss(fixed, student, epoch: 100))
    }

    /// The mechanism UnKD starts from, at the sampler level: a biased teacher's top-30 lists, which RD distils, are
    /// mostly popular items (measured 0.31 unpopular here, while about 0.8 of each user's candidates are unpopular).
    func testTopListsOfABiasedTeacherAreMostlyPopular() {
        let (split, teacher) = UnKDTests.fixture
        let groups = PopularityGroups.popularUnpopular(train: split.train)
        let rd = RDDistiller(configuration: RDConfiguration(), teacher: teacher, train: split.train, seed: 1)
        let unpopular = Double(rd.topItems.filter { groups.groupOfItem[Int($0)] == 1 }.count) / Double(rd.topItems.count)
        let candidates = (0..<split.train.userCount).flatMap { user in
            (0..<Int32(split.train.itemCount)).filter { !split.train.contains(user: user, item: $0) }
        }
        let candidateShare = Double(candidates.filter { groups.groupOfItem[Int($0)] == 1 }.count) / Double(candidates.count)
        // Against the base rate: unpopular items are less than half as frequent in the top lists as among the candidates.
        XCTAssertLessThan(unpopular, candidateShare / 2)
    }
}
