import XCTest
@testable import UnKD

/// The loss values themselves, worked out by hand on cases small enough to follow with a pencil: the gradient checks
/// only show that each gradient belongs to the loss the code computes, these show that the loss is the right one.
///
/// Every case uses one-dimensional embeddings, so a score is a product of two numbers. softplus(x) = log(1 + e^x),
/// and -log sigmoid(m) = softplus(-m).
final class LossValueTests: XCTestCase {
    /// A table of one-dimensional rows (padded to the table's stride).
    private func table(_ values: [Float]) -> EmbeddingTable {
        var table = EmbeddingTable(rows: values.count, dimension: 1)
        for (r, v) in values.enumerated() { table[r, 0] = v }
        return table
    }

    /// Runs `accumulate` on `final` with a scratch gradient and returns the loss it reports.
    private func value(_ final: EmbeddingTable,
                       _ accumulate: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, inout [Int32]) -> Float) -> Float {
        var gradient = [Float](repeating: 0, count: final.values.count), touched: [Int32] = []
        return final.values.withUnsafeBufferPointer { f in
            gradient.withUnsafeMutableBufferPointer { accumulate(f.baseAddress!, $0.baseAddress!, &touched) }
        }
    }

    /// Two users (1 and -1) and four items (0, 0.5, -1 and 2).
    private let student: [Float] = [1, -1, 0, 0.5, -1, 2]

    /// BPR on rows (u0, i1, i2) and (u1, i0, i3) of a two-dimensional case: u0 = (1, 0), u1 = (0, 2), i0 = (1, 1),
    /// i1 = (2, 0), i2 = (0, -1), i3 = (0, -1).
    /// Margins: 2 - 0 = 2 and 2 - (-2) = 4; loss = (softplus(-2) + softplus(-4)) / 2 = (0.126928 + 0.018150) / 2.
    /// L2: 0.5 (|u0|^2 + |i1|^2 + |i2|^2 + |u1|^2 + |i0|^2 + |i3|^2) / B = 0.5 (1 + 4 + 1 + 4 + 2 + 1) / 2 = 3.25.
    func testBPRAndL2ByHand() {
        var final = EmbeddingTable(rows: 6, dimension: 2)
        for (r, row) in [[1, 0], [0, 2], [1, 1], [2, 0], [0, -1], [0, -1]].enumerated() {
            final[r, 0] = Float(row[0]); final[r, 1] = Float(row[1])
        }
        let batch = TrainingBatch(users: [0, 1], positives: [1, 0], negatives: [2, 3])
        let bpr = value(final) { BPRObjective.accumulate(batch, final: $0, gradient: $1, stride: final.stride, userCount: 2,
                                                         itemWeights: nil, touched: &$2) }
        XCTAssertEqual(Double(bpr), 0.0725389695, accuracy: 1e-7)
        let withPenalty = value(final) { BPRObjective.accumulate(batch, final: $0, gradient: $1, stride: final.stride, userCount: 2,
                                                                 itemWeights: nil, fusedDecay: 0.1, touched: &$2) }
        XCTAssertEqual(Double(withPenalty), 0.0725389695 + 0.1 * 3.25, accuracy: 1e-6)
    }

    /// UnKD's pair loss: u0 has pairs (i1 > i2), (i3 > i2), u1 has (i0 > i3). Margins: 0.5 + 1 = 1.5 and 2 + 1 = 3 for
    /// u0, 0 - (-2) = 2 for u1. Per user the mean over pairs: (softplus(-1.5) + softplus(-3)) / 2 = (0.201413 +
    /// 0.048587) / 2 = 0.125000 and softplus(-2) = 0.126928. Rows u0, u1, u0: (2 x 0.125000 + 0.126928) / 3.
    func testUnKDPairLossWeightsUsersByTheirRows() {
        let final = table(student)
        let loss = value(final) {
            PairwiseDistillation.accumulate([0, 1, 0], pairStart: [0, 2, 3], positives: [1, 3, 0], negatives: [2, 2, 3],
                                            final: $0, gradient: $1, stride: final.stride, userCount: 2, itemCount: 4,
                                            weight: 1, workspace: PerUserWorkspace(), touched: &$2)
        }
        XCTAssertEqual(Double(loss), 0.1256428802, accuracy: 1e-6)
    }

    /// One user, four items, item 0 trained on. The teacher (user 1; items 4, 3, 2, 1) ranks items 1 and 2 first among
    /// the candidates, so with K = 2 RD's list is (i1, i2), with static weights e^-1 / (e^-1 + e^-2) = 0.731059 and
    /// 0.268941. The student scores them 0.5 and -1: loss = (0.731059 softplus(-0.5) + 0.268941 softplus(1)) / 2 =
    /// (0.731059 x 0.474077 + 0.268941 x 1.313262) / 2.
    func testRDStaticLossByHand() {
        let train = InteractionMatrix(itemCount: 4, rows: [[0]])
        let rd = RDDistiller(configuration: RDConfiguration(topCount: 2, weight: 1), teacher: table([1, 4, 3, 2, 1]),
                             train: train, seed: 1)
        XCTAssertEqual(rd.topItems, [1, 2])
        let final = table([1, 0, 0.5, -1, 2])
        let batch = TrainingBatch(users: [0], positives: [0], negatives: [3])
        let loss = value(final) { rd.accumulate(batch, final: $0, gradient: $1, stride: final.stride, userCount: 1, epoch: 1, touched: &$2) }
        XCTAssertEqual(Double(loss), 0.3498842555, accuracy: 1e-6)
    }

    /// With a candidate list of one item every tournament keeps the teacher's best candidate, item 1 (teacher score 3),
    /// so all 50 items are item 1, with soft label sigmoid(3 / 2) = 0.817574. The student scores it 0.5:
    /// loss = -(0.817574 log sigmoid(0.5) + 0.182426 log sigmoid(-0.5)) = 0.817574 x 0.474077 + 0.182426 x 0.974077.
    func testCDLossByHand() {
        let train = InteractionMatrix(itemCount: 4, rows: [[0]])
        let cd = CDDistiller(configuration: CDConfiguration(candidateCount: 1), teacher: table([1, 4, 3, 2, 1]), train: train, seed: 1)
        XCTAssertEqual(Set(cd.items), [1])
        XCTAssertEqual(Double(cd.softLabels[0]), 0.8175744762, accuracy: 1e-6)
        let final = table([1, 0, 0.5, -1, 2])
        let batch = TrainingBatch(users: [0], positives: [0], negatives: [3])
        let loss = value(final) { cd.accumulate(batch, final: $0, gradient: $1, stride: final.stride, userCount: 1, epoch: 1, touched: &$2) }
        XCTAssertEqual(Double(loss), 0.5652897461, accuracy: 1e-6)
    }
}
