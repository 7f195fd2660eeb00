import Foundation
import XCTest
@testable import UnKD

final class DERRDTests: XCTestCase {
    /// A random (untrained) MF teacher of dimension 16 on the small synthetic catalogue: rankings need no training.
    static let fixture: (split: DataSplit, teacher: EmbeddingTable) = {
        let data = SyntheticData(.small, seed: 21).dataset
        let split = DataSplit.make(data, protocol: .unkdCode, seed: 2)
        let teacher = Recommender(ModelConfiguration(backbone: .mf, dimension: 16), userCount: data.userCount,
                                  itemCount: data.itemCount, seed: 3).parameters
        return (split, teacher)
    }()

    /// A tiny split for finite differences: 5 users, 9 items.
    static let tiny: DataSplit = {
        let train = InteractionMatrix(itemCount: 9, rows: [[0, 1], [1, 2, 3], [0, 4], [5, 2], [0, 1, 6]])
        return DataSplit(train: train, validation: InteractionMatrix(userCount: 5, itemCount: 9),
                         test: InteractionMatrix(userCount: 5, itemCount: 9))
    }()
    static let tinyBatch = TrainingBatch(users: [0, 1, 4, 4, 3], positives: [1, 2, 6, 0, 5], negatives: [3, 7, 2, 5, 8])

    /// A DE-RRD term on the tiny split, holding its step, with its experts' output units kept away from the ReLU's kink.
    ///
    /// Central differences step over a kink as if it were not there, so with random networks a few of the many output
    /// units would sit close enough to their kink to spoil the comparison. Output biases of +1 and -1 in turn put every
    /// unit clearly on one side (half of them active), so both branches of the ReLU are still exercised.
    static func tinyDistiller(studentDimension: Int, configuration: DERRDConfiguration? = nil) -> DERRDDistiller {
        let teacher = Recommender(ModelConfiguration(backbone: .mf, dimension: 7), userCount: 5, itemCount: 9, seed: 4).parameters
        var settings = configuration ?? DERRDConfiguration(window: 3, interesting: 2, uninteresting: 2, weight: 0.3, expertWeight: 0.2)
        settings.studentDimension = studentDimension
        let distiller = DERRDDistiller(configuration: settings, teacherScored: teacher, teacherEgo: teacher, train: tiny.train,
                                       learningRate: 0.01, seed: 2)
        for layer in distiller.userExperts.second + distiller.itemExperts.second {
            for o in 0..<layer.outputs { distiller.networks.values[layer.biasOffset + o] = o % 2 == 0 ? 0.5 : -0.5 }
        }
        distiller.holdsStep = true
        return distiller
    }

    /// Interesting items are distinct, lie in the teacher's top 100 of the user's non-training items and keep its
    /// order; uninteresting items are distinct and avoid both that top list and the training items.
    func testSamplesFollowTheTeacherRanking() {
        let (split, teacher) = Self.fixture
        let users = split.train.userCount, items = split.train.itemCount
        let samples = RelaxedRankingSamples(teacher: teacher, train: split.train, window: 100, interesting: 20,
                                            uninteresting: 20, temperature: 30, seed: 5)
        for user in 0..<users {
            // The teacher's ranking of the user's non-training items, computed naively.
            let score = (0..<items).map { item in (0..<16).reduce(Float(0)) { $0 + teacher[user, $1] * teacher[users + item, $1] } }
            let ranked = (0..<items).filter { !split.train.contains(user: user, item: Int32($0)) }
                .sorted { score[$0] != score[$1] ? score[$0] > score[$1] : $0 < $1 }
            let top = Array(ranked.prefix(100))
            let rank = Dictionary(uniqueKeysWithValues: top.enumerated().map { ($1, $0) })

            let interesting = samples.interesting(of: user).map(Int.init)
            XCTAssertEqual(interesting.count, 20)
            let ranks = interesting.map { rank[$0] }
            XCTAssertFalse(ranks.contains(nil), "user \(user): an interesting item outside the top 100")
            let positions = ranks.compactMap { $0 }
            XCTAssertEqual(positions, positions.sorted(), "user \(user): not in rank order")
            XCTAssertEqual(Set(positions).count, positions.count, "user \(user): repeated interesting items")

            let uninteresting = samples.uninteresting(of: user).map(Int.init)
            XCTAssertEqual(uninteresting.count, 20)
            XCTAssertEqual(Set(uninteresting).count, 20, "user \(user): repeated uninteresting items")
            for item in uninteresting {
                XCTAssertNil(rank[item], "user \(user): uninteresting item \(item) is in the teacher's top 100")
                XCTAssertFalse(split.train.contains(user: user, item: Int32(item)), "user \(user): uninteresting training item")
            }
        }
    }

    /// With one position drawn, its rank r follows p ∝ exp(-(r + 1)/30) (a chi-square test over ten bins of ten
    /// ranks); with twenty drawn, the Gumbel top-k draw agrees with twenty sequential draws without replacement.
    func testRankDistributionOfInterestingItems() {
        var random = RandomSource(seed: 8)
        let draws = 20_000
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<draws {
            counts[RelaxedRankingSamples.rankPositions(length: 100, count: 1, temperature: 30, random: &random)[0] / 10] += 1
        }
        let weights = (0..<100).map { exp(-Double($0 + 1) / 30) }, total = weights.reduce(0, +)
        var chiSquare = 0.0
        for bin in 0..<10 {
            let expected = Double(draws) * weights[(10 * bin)..<(10 * bin + 10)].reduce(0, +) / total
            chiSquare += pow(Double(counts[bin]) - expected, 2) / expected
        }
        XCTAssertLessThan(chiSquare, 27.9)  // the 0.001 quantile of chi-square with 9 degrees of freedom

        var topK = [Double](repeating: 0, count: 10), sequential = topK
        let runs = 3000
        for _ in 0..<runs {
            for r in RelaxedRankingSamples.rankPositions(length: 100, count: 20, temperature: 30, random: &random) {
                topK[r / 10] += 1 / Double(runs)
            }
            var remaining = Array(0..<100)
            for _ in 0..<20 {
                let mass = remaining.reduce(0) { $0 + weights[$1] }
                var u = random.unit() * mass, pick = remaining.count - 1
                for (k, r) in remaining.enumerated() {
                    u -= weights[r]
                    if u < 0 { pick = k; break }
                }
                sequential[remaining[pick] / 10] += 1 / Double(runs)
                remaining.remove(at: pick)
            }
        }
        for bin in 0..<10 { XCTAssertEqual(topK[bin], sequential[bin], accuracy: 0.15, "ranks \(10 * bin)..<\(10 * bin + 10)") }
        XCTAssertGreaterThan(topK[0], topK[9] * 2, "better ranks are drawn more often")
    }

    /// The frozen teacher (docs/differences.md#de-rrds-teacher-is-frozen): training steps move the student and the
    /// experts but never the teacher.
    func testTeacherStaysFrozen() {
        let (split, teacher) = Self.fixture
        let data = split.train
        let distiller = DERRDDistiller(configuration: DERRDConfiguration(studentDimension: 8), teacherScored: teacher,
                                       teacherEgo: teacher, train: data, learningRate: 0.01, seed: 1)
        let networksBefore = distiller.networks.values
        let student = Recommender(ModelConfiguration(backbone: .mf, dimension: 8), userCount: data.userCount,
                                  itemCount: data.itemCount, seed: 6)
        let trainer = Trainer(model: student, split: split, configuration: TrainingConfiguration(learningRate: 0.01, decay: 1e-3,
                                                                                                 batchSize: 512), seed: 1)
        trainer.distillation = distiller
        trainer.trainEpoch(1)
        // What the step trains besides the student: the experts and gates of both sides, and nothing of the teacher
        // (in the authors' code the teacher's embeddings are among them).
        let ds = 8, dt = teacher.dimension, dm = (ds + dt) / 2, e = DERRDConfiguration().experts
        let perSide = e * (ds * dm + dm + dm * dt + dt) + (dt * e + e)
        XCTAssertEqual(distiller.networks.values.count, (2 * perSide + 7) / 8 * 8)
        XCTAssertNotEqual(distiller.networks.values, networksBefore, "the experts and gates learn")
        XCTAssertNotEqual(trainer.model.parameters, student.parameters)
    }

    /// Finite differences of the whole step (BPR + RRD on the scored embeddings + DE on the ego embeddings), for an MF
    /// and a LightGCN student.
    ///
    /// The check's float loss resolves differences of about 1e-5 at its step of 1e-2, against a floor of 1e-3 on the
    /// gradient: the weights keep the loss near 3, so that this resolution stays well inside the tolerance.
    func testStudentGradient() {
        for configuration in [ModelConfiguration(backbone: .mf, dimension: 6), ModelConfiguration(backbone: .lightGCN, dimension: 8, layers: 1)] {
            let distiller = Self.tinyDistiller(studentDimension: configuration.dimension)
            GradientCheck.assertMatchesFiniteDifferences(configuration, split: Self.tiny, batch: Self.tinyBatch, decay: 0.1,
                                                         distillation: distiller)
        }
    }

    /// RRD's value by hand: with a zero student every sigmoid is 1/2, so for K = 2 interesting and L = 2
    /// uninteresting items l_u = -[(1/2 - log 4e^(1/2)) + (1/2 - log 3e^(1/2))] = log 12, for every row.
    func testRelaxedRankingLossByHand() {
        let distiller = Self.tinyDistiller(studentDimension: 6)
        for user in 0..<5 {
            XCTAssertEqual(distiller.samples.interesting(of: user).count, 2)
            XCTAssertEqual(distiller.samples.uninteresting(of: user).count, 2)
        }
        let student = EmbeddingTable(rows: 14, dimension: 6)
        var gradient = [Float](repeating: 0, count: student.values.count), touched: [Int32] = []
        let loss = student.values.withUnsafeBufferPointer { final in
            gradient.withUnsafeMutableBufferPointer { g in
                RelaxedRankingLoss.accumulate(Self.tinyBatch.users, samples: distiller.samples, final: final.baseAddress!,
                                              gradient: g.baseAddress!, stride: student.stride, userCount: 5, itemCount: 9,
                                              weight: 1, workspace: PerUserWorkspace(), touched: &touched)
            }
        }
        XCTAssertEqual(Double(loss), log(12), accuracy: 1e-6)
        // The distinct users are touched, then every item row: the four lists name 16 entries, more than the 9 items.
        XCTAssertEqual(touched, [0, 1, 4, 3] + (5..<14).map { Int32($0) })
    }

    /// RRD alone by finite differences.
    func testRelaxedRankingGradient() {
        let configuration = DERRDConfiguration(window: 4, interesting: 3, uninteresting: 2, weight: 0.5, expertWeight: 0)
        let distiller = Self.tinyDistiller(studentDimension: 6, configuration: configuration)
        GradientCheck.assertMatchesFiniteDifferences(ModelConfiguration(backbone: .mf, dimension: 6), split: Self.tiny,
                                                     batch: Self.tinyBatch, decay: 0, distillation: distiller)
    }

    /// The hand-written backward pass of the experts and gates, by central differences on every parameter.
    func testExpertAndGateGradients() {
        let distiller = Self.tinyDistiller(studentDimension: 3, configuration: DERRDConfiguration(
            window: 3, interesting: 2, uninteresting: 2, experts: 3, weight: 0, expertWeight: 0.3))
        let student = Recommender(ModelConfiguration(backbone: .lightGCN, dimension: 3), userCount: 5, itemCount: 9, seed: 7).parameters
        NetworkGradientCheck.assertMatchesFiniteDifferences(
            parameters: { distiller.networks.values }, set: { distiller.networks.values = $0 },
            gradient: { distiller.networks.gradient }, student: student, userCount: 5) { ego, gradient, touched in
            distiller.accumulateOnEgo(Self.tinyBatch, ego: ego, gradient: gradient, stride: student.stride, userCount: 5,
                                      epoch: 1, touched: &touched)
        }
    }

    func testSpecBuildsTheTerm() throws {
        let method = DistillationMethod.deRRD(DERRDConfiguration())
        XCTAssertEqual(method.row.rawValue, "DE-RRD")
        XCTAssertEqual(try JSONDecoder().decode(DistillationMethod.self, from: JSONEncoder().encode(method)), method)
        let configuration = DERRDConfiguration()
        XCTAssertEqual([configuration.window, configuration.interesting, configuration.uninteresting, configuration.experts], [100, 20, 20, 5])
        XCTAssertEqual([configuration.rankTemperature, configuration.gumbelTemperature, configuration.weight, configuration.expertWeight],
                       [30, 10, 1, 0.001])

        let split = Self.tiny
        let teacherModel = ModelConfiguration(backbone: .mf, dimension: 7)
        let training = TrainingConfiguration(learningRate: 0.01, decay: 0.01)
        let teacher = TrainedModel(
            spec: ModelSpec(dataset: "tiny", model: teacherModel, training: training, seed: 1),
            model: Recommender(teacherModel, userCount: 5, itemCount: 9, seed: 1), history: TrainingHistory(), graph: nil, loaded: false)
        let spec = DistillationSpec(method: .deRRD(DERRDConfiguration(window: 3, interesting: 2, uninteresting: 2, studentDimension: 6)),
                                    teacher: TeacherSpec(model: teacherModel, training: training, seed: 1))
        let term = try XCTUnwrap(spec.makeTerm(teacher: teacher, train: split.train, student: training,
                                                 studentModel: ModelConfiguration(backbone: .mf, dimension: 6), seed: 3) as? DERRDDistiller)
        XCTAssertEqual(term.teacherEgo, teacher.model.parameters)
        XCTAssertEqual(term.userExperts.hidden, (7 + 6) / 2)
    }
}

/// Compares a term's hand-written gradient with respect to its own networks' parameters with central differences of
/// its loss (the term must hold its step).
///
/// Among hundreds of ReLU units a few sit within a step of their kink, where central differences measure a blend of
/// two slopes: a parameter whose differences at h and h/2 disagree is such a case and is skipped (at most a tenth may
/// be). Elsewhere the differences at h/2 must match. A wrong gradient cannot hide this way: it disagrees with
/// differences that agree with each other.
enum NetworkGradientCheck {
    static func assertMatchesFiniteDifferences(
        parameters: () -> [Float], set: ([Float]) -> Void, gradient: () -> [Float], student: EmbeddingTable, userCount: Int,
        step: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, inout [Int32]) -> Float,
        h: Float = 1e-2, tolerance: Double = 2e-2, file: StaticString = #filePath, line: UInt = #line) {
        var scratch = [Float](repeating: 0, count: student.values.count)
        var touched: [Int32] = []
        func loss() -> Double {
            student.values.withUnsafeBufferPointer { ego in
                scratch.withUnsafeMutableBufferPointer { g in Double(step(ego.baseAddress!, g.baseAddress!, &touched)) }
            }
        }
        _ = loss()
        let analytic = gradient(), original = parameters()
        // Below a hundredth of the largest gradient, differences are compared with that floor: a float loss cannot
        // resolve them better.
        let floor = max(1e-4, 1e-2 * Double(analytic.map(abs).max() ?? 0))
        func difference(_ k: Int, _ step: Float) -> Double {
            var values = original
            values[k] = original[k] + step
            set(values)
            let up = loss()
            values[k] = original[k] - step
            set(values)
            let down = loss()
            return (up - down) / Double(2 * step)
        }
        var worst = 0.0, checked = 0, skipped = 0
        for k in original.indices {
            let coarse = difference(k, h), fine = difference(k, h / 2)
            if abs(coarse - fine) > tolerance * max(floor, abs(coarse) + abs(fine)) {
                skipped += 1
                continue
            }
            worst = max(worst, abs(fine - Double(analytic[k])) / max(floor, abs(fine) + abs(Double(analytic[k]))))
            if analytic[k] != 0 { checked += 1 }
        }
        set(original)
        XCTAssertGreaterThan(checked, original.count / 2, "most parameters should have a gradient", file: file, line: line)
        XCTAssertLessThanOrEqual(skipped, original.count / 10, "too many parameters near a kink", file: file, line: line)
        XCTAssertLessThan(worst, tolerance, "worst relative error \(worst) (\(skipped) of \(original.count) skipped)",
                          file: file, line: line)
    }
}
