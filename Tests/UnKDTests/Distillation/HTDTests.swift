import Foundation
import XCTest
@testable import UnKD

final class HTDTests: XCTestCase {
    static let tiny = DERRDTests.tiny
    static let tinyBatch = DERRDTests.tinyBatch

    static func distiller(teacher: EmbeddingTable, configuration: HTDConfiguration, holds: Bool = true) -> HTDDistiller {
        let distiller = HTDDistiller(configuration: configuration, teacherEgo: teacher, learningRate: 0.01, seed: 2)
        distiller.holdsStep = holds
        return distiller
    }

    /// Hidden biases of +1 and -1 in turn keep every hidden unit of the group networks clearly on one side of its
    /// ReLU's kink, which central differences would otherwise step over (see `DERRDTests.tinyDistiller`).
    static func keepAwayFromKinks(_ distiller: HTDDistiller) {
        for side in [distiller.userAssignment, distiller.itemAssignment] {
            for o in 0..<side.first.outputs { distiller.networks.values[side.first.biasOffset + o] = o % 2 == 0 ? 1 : -1 }
        }
    }

    static func randomTeacher(dimension: Int, seed: UInt64 = 4) -> EmbeddingTable {
        Recommender(ModelConfiguration(backbone: .mf, dimension: dimension), userCount: 5, itemCount: 9, seed: seed).parameters
    }

    /// Runs one call of the term on `student` and returns the weighted loss and the gradient.
    static func evaluate(_ distiller: HTDDistiller, student: EmbeddingTable, batch: TrainingBatch = tinyBatch) -> (Float, [Float]) {
        var gradient = [Float](repeating: 0, count: student.values.count), touched: [Int32] = []
        let loss = student.values.withUnsafeBufferPointer { ego in
            gradient.withUnsafeMutableBufferPointer { g in
                distiller.accumulateOnEgo(batch, ego: ego.baseAddress!, gradient: g.baseAddress!, stride: student.stride,
                                          userCount: 5, epoch: 1, touched: &touched)
            }
        }
        return (loss, gradient)
    }

    /// The layer slices of both sides' assignment networks v.
    static func assignmentParameters(_ distiller: HTDDistiller) -> [Float] {
        [distiller.userAssignment.assignment.layer, distiller.itemAssignment.assignment.layer].flatMap {
            distiller.networks.values[$0.offset..<$0.end]
        }
    }

    /// Finite differences of the whole step (BPR + HTD on the ego embeddings), for an MF and a LightGCN student, with
    /// both TD and GA active.
    ///
    /// LightGCN's ego rows are drawn from N(0, 0.1^2): in few dimensions they are so short that the cosines bend
    /// noticeably over the check's step of 1e-2 (the error shrinks as h^2 with smaller steps); with 32 dimensions they
    /// are long enough.
    func testStudentGradient() {
        for configuration in [ModelConfiguration(backbone: .mf, dimension: 6), ModelConfiguration(backbone: .lightGCN, dimension: 32, layers: 1)] {
            let distiller = Self.distiller(teacher: Self.randomTeacher(dimension: 7), configuration: HTDConfiguration(
                groups: 3, alpha: 0.5, weight: 0.05, studentDimension: configuration.dimension, mixtureCutoff: 0))
            Self.keepAwayFromKinks(distiller)
            GradientCheck.assertMatchesFiniteDifferences(configuration, split: Self.tiny, batch: Self.tinyBatch, decay: 0.1,
                                                         distillation: distiller)
        }
    }

    /// TD alone by finite differences, with a weight large enough to dominate BPR.
    func testTopologyGradient() {
        let distiller = Self.distiller(teacher: Self.randomTeacher(dimension: 7), configuration: HTDConfiguration(
            groups: 2, alpha: 1, weight: 1, studentDimension: 6))
        GradientCheck.assertMatchesFiniteDifferences(ModelConfiguration(backbone: .mf, dimension: 6), split: Self.tiny,
                                                     batch: Self.tinyBatch, decay: 0, distillation: distiller)
    }

    /// The hand-written backward pass of the group networks f and the assignment networks v, by central differences on
    /// every parameter (GA only: TD's argmax grouping is piecewise constant in v).
    func testGroupNetworkGradients() {
        let distiller = Self.distiller(teacher: Self.randomTeacher(dimension: 5), configuration: HTDConfiguration(
            groups: 3, gumbelTemperature: 0.5, alpha: 0, weight: 1, studentDimension: 3, mixtureCutoff: 0))
        Self.keepAwayFromKinks(distiller)
        let student = Recommender(ModelConfiguration(backbone: .mf, dimension: 3), userCount: 5, itemCount: 9, seed: 7).parameters
        NetworkGradientCheck.assertMatchesFiniteDifferences(
            parameters: { distiller.networks.values }, set: { distiller.networks.values = $0 },
            gradient: { distiller.networks.gradient }, student: student, userCount: 5) { ego, gradient, touched in
            distiller.accumulateOnEgo(Self.tinyBatch, ego: ego, gradient: gradient, stride: student.stride, userCount: 5,
                                      epoch: 1, touched: &touched)
        }
    }

    /// At HTD's temperature of 0.1 with 30 groups, running only the groups a choice gives a weight of at least 1e-6
    /// changes GA, its gradient with respect to the student and the networks' gradient by a negligible amount.
    func testMixtureCutoffChangesAlmostNothing() {
        let teacher = Self.randomTeacher(dimension: 16)
        let student = Recommender(ModelConfiguration(backbone: .mf, dimension: 8), userCount: 5, itemCount: 9, seed: 7).parameters
        var outcomes: [(Float, [Float], [Float])] = []
        for cutoff in [0, 1e-6] {
            let distiller = Self.distiller(teacher: teacher, configuration: HTDConfiguration(
                groups: 30, alpha: 0, weight: 1, studentDimension: 8, mixtureCutoff: cutoff))
            let (loss, gradient) = Self.evaluate(distiller, student: student)
            outcomes.append((loss, gradient, distiller.networks.gradient))
        }
        let (exact, cut) = (outcomes[0], outcomes[1])
        XCTAssertEqual(cut.0, exact.0, accuracy: 1e-4 * abs(exact.0))
        for (name, a, b) in [("student", exact.1, cut.1), ("networks", exact.2, cut.2)] {
            let scale = a.map(abs).max()!
            XCTAssertGreaterThan(scale, 0)
            let worst = zip(a, b).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-3 * scale, "\(name) gradient moved by \(worst) (largest entry \(scale))")
        }
    }

    /// The pair term over a group larger than one tile (600 entities, tiles of 256), computed on the upper triangle,
    /// equals the direct sum over all ordered pairs, and so does its gradient.
    func testPairTermOverSeveralTilesMatchesTheDirectSum() {
        var random = RandomSource(seed: 5)
        let m = 600, ds = 4, dt = 5, weight: Float = 0.7
        func unitRows(_ d: Int) -> [Float] {
            var x = (0..<(m * d)).map { _ in Float(random.normal()) }
            for r in 0..<m {
                let norm = (0..<d).reduce(Float(0)) { $0 + x[r * d + $1] * x[r * d + $1] }.squareRoot()
                for c in 0..<d { x[r * d + c] /= norm }
            }
            return x
        }
        let s = unitRows(ds), t = unitRows(dt)
        var direction = [Float](repeating: 0, count: m * ds)
        let loss = TopologyDistillation.accumulatePairs(Array(0..<m), s: s, ds: ds, t: t, dt: dt, weight: weight, into: &direction)
        var expectedLoss = 0.0, expected = [Double](repeating: 0, count: m * ds)
        for i in 0..<m {
            for j in 0..<m {
                let cs = (0..<ds).reduce(0.0) { $0 + Double(s[i * ds + $1] * s[j * ds + $1]) }
                let ct = (0..<dt).reduce(0.0) { $0 + Double(t[i * dt + $1] * t[j * dt + $1]) }
                let d = ct > 0 ? cs - ct : 0
                expectedLoss += d * d
                for c in 0..<ds { expected[i * ds + c] += 4 * Double(weight) * d * Double(s[j * ds + c]) }
            }
        }
        XCTAssertEqual(loss, expectedLoss, accuracy: 1e-4 * expectedLoss)
        let scale = expected.map(abs).max()!
        for k in 0..<(m * ds) { XCTAssertEqual(Double(direction[k]), expected[k], accuracy: 1e-4 * scale) }
    }

    /// With alpha = 0.5 the assignment networks v learn; with the UnKD code's alpha = 1 GA has weight 0 and v keeps
    /// its initialisation (docs/differences.md#htds-alpha-and-loss-scale).
    func testAssignmentNetworkLearnsOnlyWithGroupAssignment() {
        let data = SyntheticData(.small, seed: 21).dataset
        let split = DataSplit.make(data, protocol: .unkdCode, seed: 2)
        let teacher = Recommender(ModelConfiguration(backbone: .mf, dimension: 16), userCount: data.userCount,
                                  itemCount: data.itemCount, seed: 3).parameters
        for alpha in [0.5, 1] {
            let distiller = Self.distiller(teacher: teacher, configuration: HTDConfiguration(
                groups: 4, alpha: alpha, weight: 1e-3, studentDimension: 8), holds: false)
            let before = Self.assignmentParameters(distiller)
            let student = Recommender(ModelConfiguration(backbone: .mf, dimension: 8), userCount: data.userCount,
                                      itemCount: data.itemCount, seed: 6)
            let trainer = Trainer(model: student, split: split, configuration: TrainingConfiguration(
                learningRate: 0.01, decay: 1e-3, batchSize: 1024), seed: 1)
            trainer.distillation = distiller
            trainer.trainEpoch(1)
            let after = Self.assignmentParameters(distiller)
            if alpha < 1 {
                XCTAssertGreaterThan(zip(before, after).filter { $0 != $1 }.count, before.count / 2, "v should learn")
            } else {
                XCTAssertEqual(after, before, "with alpha = 1, v receives no gradient")
            }
        }
    }

    /// GA is a sum over the batch's distinct users and items. With every group network's output fixed at c
    /// (zero output weights, bias c), the mixture is c whatever the assignment, and GA = sum ||t - c||^2.
    func testGroupAssignmentIsASumOverDistinctEntities() {
        let teacher = Self.randomTeacher(dimension: 4)
        let distiller = Self.distiller(teacher: teacher, configuration: HTDConfiguration(groups: 3, alpha: 0, weight: 1, studentDimension: 2))
        let c: [Float] = [0.3, -0.2, 0.1, 0.5]
        for side in [distiller.userAssignment, distiller.itemAssignment] {
            for layer in side.second {
                for k in layer.offset..<layer.biasOffset { distiller.networks.values[k] = 0 }
                for o in 0..<4 { distiller.networks.values[layer.biasOffset + o] = c[o] }
            }
        }
        let student = Recommender(ModelConfiguration(backbone: .mf, dimension: 2), userCount: 5, itemCount: 9, seed: 7).parameters
        // Users 0, 1, 3, 4 (4 twice); items 0, 1, 2 (twice), 3, 5 (twice), 6, 7, 8.
        let (loss, _) = Self.evaluate(distiller, student: student)
        let rows = [0, 1, 3, 4] + [0, 1, 2, 3, 5, 6, 7, 8].map { 5 + $0 }
        let expected = rows.reduce(Float(0)) { sum, row in sum + (0..<4).reduce(Float(0)) { $0 + pow(teacher[row, $1] - c[$1], 2) } }
        XCTAssertEqual(loss, expected, accuracy: 1e-5 * expected)
    }

    /// TD by hand on four entities, every user in one group and every item in another (v's weights zero, its first
    /// bias one): the within-group pairs and the prototype-to-entity terms of the code's unmasked variant.
    func testTopologyByHand() {
        var teacher = EmbeddingTable(rows: 2 + 2, dimension: 2)
        let t: [[Float]] = [[1, 0], [1, 1], [1, 0], [2, 0.5]]
        let s: [[Float]] = [[1, 0], [0, 1], [1, 0], [1, 1]]
        for r in 0..<4 { for k in 0..<2 { teacher[r, k] = t[r][k] } }
        var student = EmbeddingTable(rows: 4, dimension: 2)
        for r in 0..<4 { for k in 0..<2 { student[r, k] = s[r][k] } }
        let distiller = Self.distiller(teacher: teacher, configuration: HTDConfiguration(groups: 3, alpha: 1, weight: 1, studentDimension: 2))
        for side in [distiller.userAssignment, distiller.itemAssignment] {
            let v = side.assignment.layer
            for k in v.offset..<v.end { distiller.networks.values[k] = 0 }
            distiller.networks.values[v.biasOffset] = 1
        }
        var gradient = [Float](repeating: 0, count: student.values.count), touched: [Int32] = []
        let batch = TrainingBatch(users: [0, 1], positives: [0, 0], negatives: [1, 1])
        let loss = student.values.withUnsafeBufferPointer { ego in
            gradient.withUnsafeMutableBufferPointer { g in
                distiller.accumulateOnEgo(batch, ego: ego.baseAddress!, gradient: g.baseAddress!, stride: student.stride,
                                          userCount: 2, epoch: 1, touched: &touched)
            }
        }
        func cos(_ a: [Float], _ b: [Float]) -> Float {
            (a[0] * b[0] + a[1] * b[1]) / ((a[0] * a[0] + a[1] * a[1]).squareRoot() * (b[0] * b[0] + b[1] * b[1]).squareRoot())
        }
        func mean(_ a: [Float], _ b: [Float]) -> [Float] { [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] }
        // Within groups, both orders of each pair (all teacher cosines here are positive); the diagonal adds nothing.
        let pairs = 2 * pow(cos(s[0], s[1]) - cos(t[0], t[1]), 2) + 2 * pow(cos(s[2], s[3]) - cos(t[2], t[3]), 2)
        XCTAssertEqual(pairs, 2 * 0.5 + 2 * pow(Float(0.5).squareRoot() - 0.970_142_5, 2), accuracy: 1e-5)
        // Every entity against both groups' prototypes.
        let prototypes = [(mean(s[0], s[1]), mean(t[0], t[1])), (mean(s[2], s[3]), mean(t[2], t[3]))]
        let prototypeTerm = prototypes.reduce(Float(0)) { sum, p in
            sum + (0..<4).reduce(Float(0)) { $0 + pow(cos(p.0, s[$1]) - cos(p.1, t[$1]), 2) }
        }
        XCTAssertEqual(loss, pairs + prototypeTerm, accuracy: 1e-5)
    }

    /// TD vanishes, with its gradient, when the student's embeddings are the teacher's projected on a subspace that
    /// holds them (cosines are then the same in both spaces).
    func testTopologyVanishesWhenTheStudentIsTheProjectedTeacher() {
        var teacher = Self.randomTeacher(dimension: 5)
        var student = EmbeddingTable(rows: 14, dimension: 3)
        for r in 0..<14 {
            for k in 3..<5 { teacher[r, k] = 0 }
            for k in 0..<3 { student[r, k] = teacher[r, k] }
        }
        let distiller = Self.distiller(teacher: teacher, configuration: HTDConfiguration(groups: 2, alpha: 1, weight: 1, studentDimension: 3))
        let (loss, gradient) = Self.evaluate(distiller, student: student)
        XCTAssertEqual(loss, 0, accuracy: 1e-5)
        XCTAssertLessThan(gradient.map(abs).max()!, 1e-4)
        // A student that is not the projected teacher pays.
        distiller.holdsStep = true
        student[0, 0] += 1
        student[7, 1] -= 1
        XCTAssertGreaterThan(Self.evaluate(distiller, student: student).0, 1e-2)
    }

    func testSpecBuildsTheTerm() throws {
        let method = DistillationMethod.htd(HTDConfiguration())
        XCTAssertEqual(method.row.rawValue, "HTD")
        XCTAssertEqual(try JSONDecoder().decode(DistillationMethod.self, from: JSONEncoder().encode(method)), method)
        let configuration = HTDConfiguration()
        XCTAssertEqual(configuration.groups, 30)
        XCTAssertEqual([configuration.gumbelTemperature, configuration.alpha, configuration.weight], [0.1, 0.5, 1e-3])

        let teacherModel = ModelConfiguration(backbone: .mf, dimension: 12)
        let training = TrainingConfiguration(learningRate: 0.01, decay: 0.01)
        let teacher = TrainedModel(
            spec: ModelSpec(dataset: "tiny", model: teacherModel, training: training, seed: 1),
            model: Recommender(teacherModel, userCount: 5, itemCount: 9, seed: 1), history: TrainingHistory(), graph: nil, loaded: false)
        let spec = DistillationSpec(method: .htd(HTDConfiguration(groups: 4, studentDimension: 6)),
                                    teacher: TeacherSpec(model: teacherModel, training: training, seed: 1))
        let term = try XCTUnwrap(spec.makeTerm(teacher: teacher, train: Self.tiny.train, student: training,
                                                 studentModel: ModelConfiguration(backbone: .mf, dimension: 6), seed: 3) as? HTDDistiller)
        XCTAssertEqual(term.teacherEgo, teacher.model.parameters)
        XCTAssertEqual(term.userAssignment.hidden, 9)
        XCTAssertEqual(term.userAssignment.second.count, 4)
    }
}
