import Foundation
import XCTest
@testable import UnKD

final class UnKDTests: XCTestCase {
    /// A biased teacher on synthetic data: an MF model trained like the paper's teacher (lr 2e-3, briefly), which, like
    /// real teachers, favours popular items.
    static let fixture: (split: DataSplit, teacher: EmbeddingTable) = {
        let data = SyntheticData(.small, seed: 21).dataset
        let split = DataSplit.make(data, protocol: .unkdCode, seed: 2)
        let model = Recommender(ModelConfiguration(backbone: .mf, dimension: 48), userCount: data.userCount,
                                itemCount: data.itemCount, seed: 3)
        let trainer = Trainer(model: model, split: split, configuration: TrainingConfiguration(learningRate: 2e-3, decay: 1e-3), seed: 3)
        for epoch in 1...50 { trainer.trainEpoch(epoch) }
        return (split, trainer.model.parameters)
    }()

    func testPairsPerGroupFollowTheOfficialAllocation() {
        let thirty = UnKDConfiguration(pairsPerUser: 30), forty = UnKDConfiguration(pairsPerUser: 40)
        XCTAssertEqual(thirty.pairsPerGroup(2), [15, 15])
        XCTAssertEqual(thirty.pairsPerGroup(4), [8, 8, 8, 8])
        XCTAssertEqual(thirty.pairsPerGroup(7), [5, 5, 4, 4, 4, 4, 4])
        XCTAssertEqual(thirty.pairsPerGroup(9), [4, 4, 4, 3, 3, 3, 3, 3, 3])
        XCTAssertEqual(thirty.pairsPerGroup(10), [Int](repeating: 3, count: 10))
        XCTAssertEqual(forty.pairsPerGroup(3), [14, 13, 13])
        XCTAssertEqual(forty.pairsPerGroup(6), [7, 7, 7, 7, 7, 7])
        XCTAssertEqual(forty.pairsPerGroup(9), [5, 5, 5, 5, 4, 4, 4, 4, 4])
    }

    func testTeacherRankingIsSortedWithinGroupsAndExcludesTraining() {
        let (split, teacher) = Self.fixture
        let users = split.train.userCount
        let groups = PopularityGroups(train: split.train, groupCount: 3)
        let ranking = TeacherRanking(teacher: teacher, userCount: users, train: split.train, groups: groups, cap: 25)
        for user in stride(from: 0, to: users, by: 7) {
            for g in 0..<groups.count {
                let list = ranking.list(user: user, group: g)
                let candidates = groups.groups[g].filter { !split.train.contains(user: user, item: $0) }
                XCTAssertEqual(list.count, min(25, candidates.count))
                let scores = list.map { item in (0..<48).reduce(Float(0)) { $0 + teacher[user, $1] * teacher[users + Int(item), $1] } }
                XCTAssertEqual(scores, scores.sorted(by: >), "user \(user) group \(g) not best first")
                // Nothing left out scores above the last kept item.
                let kept = Set(list)
                let last = scores.last ?? .infinity
                for item in candidates where !kept.contains(item) {
                    let s = (0..<48).reduce(Float(0)) { $0 + teacher[user, $1] * teacher[users + Int(item), $1] }
                    XCTAssertLessThanOrEqual(s, last + 1e-5)
                }
            }
        }
    }

    func testSampledPairsStayInGroupAvoidTrainingItemsAndFollowTheTeacher() {
        let (split, teacher) = Self.fixture
        let distiller = UnKDDistiller(configuration: UnKDConfiguration(groups: 4), teacher: teacher, train: split.train, seed: 1)
        distiller.resample()
        let users = split.train.userCount
        for user in 0..<users {
            for p in distiller.pairStart[user]..<distiller.pairStart[user + 1] {
                let i = distiller.pairPositives[p], j = distiller.pairNegatives[p]
                XCTAssertEqual(distiller.groups.groupOfItem[Int(i)], distiller.groups.groupOfItem[Int(j)], "a pair crosses groups")
                XCTAssertFalse(split.train.contains(user: user, item: i) || split.train.contains(user: user, item: j))
                let g = Int(distiller.groups.groupOfItem[Int(i)])
                let list = Array(distiller.ranking.list(user: user, group: g))
                XCTAssertLessThan(list.firstIndex(of: i)!, list.firstIndex(of: j)!, "the positive must outrank the negative")
            }
            // 8 pairs in each of the 4 groups where the user has at least two candidates.
            let usable = (0..<distiller.groups.count).filter { distiller.ranking.list(user: user, group: $0).count >= 2 }.count
            XCTAssertEqual(distiller.pairStart[user + 1] - distiller.pairStart[user], 8 * usable)
        }
    }

    /// Ranks follow p(r) ∝ exp(-r / mu): a chi-square test of 100,000 draws against the exact probabilities.
    func testRankDistributionMatchesExponentialWeights() {
        var random = RandomSource(seed: 12)
        let mu = 20.0, length = 60, draws = 100_000
        var counts = [Int](repeating: 0, count: length)
        let mass = 1 - exp(-Double(length) / mu)
        for _ in 0..<draws { counts[UnKDDistiller.truncatedGeometric(logQ: -1 / mu, mass: mass, length: length, &random)] += 1 }
        let weights = (0..<length).map { exp(-Double($0 + 1) / mu) }
        let total = weights.reduce(0, +)
        let chiSquare = zip(counts, weights).reduce(0.0) { sum, pair in
            let expected = Double(draws) * pair.1 / total
            return sum + pow(Double(pair.0) - expected, 2) / expected
        }
        XCTAssertLessThan(chiSquare, 98.32)  // the 0.001 quantile of chi-square with 59 degrees of freedom (60 bins)
    }

    /// The official code's reversed pairs: the same draws as ordered pairs, where each pair drawn worse first keeps
    /// its better item twice. On lists of 40 items, drawn independently, that is half of the pairs.
    func testCollapsedReversedPairsKeepTheBetterItemTwice() {
        let (split, teacher) = Self.fixture
        func pairs(_ reversedPairs: ReversedPairs) -> UnKDDistiller {
            let distiller = UnKDDistiller(configuration: UnKDConfiguration(groups: 2, listCap: 40, reversedPairs: reversedPairs),
                                          teacher: teacher, train: split.train, seed: 5)
            distiller.resample()
            return distiller
        }
        let ordered = pairs(.ordered), collapsed = pairs(.collapsed)
        XCTAssertEqual(collapsed.pairStart, ordered.pairStart)
        XCTAssertEqual(collapsed.pairPositives, ordered.pairPositives, "the better item of each pair is the same")
        var same = 0
        for p in 0..<ordered.pairPositives.count {
            XCTAssertNotEqual(ordered.pairPositives[p], ordered.pairNegatives[p])
            if collapsed.pairNegatives[p] == collapsed.pairPositives[p] {
                same += 1
            } else {
                XCTAssertEqual(collapsed.pairNegatives[p], ordered.pairNegatives[p])
            }
        }
        // Binomial(n, 1/2): the 0.001 quantiles are within 3.3 standard deviations of n / 2.
        let n = Double(ordered.pairPositives.count)
        XCTAssertGreaterThan(n, 5000)
        XCTAssertEqual(Double(same), n / 2, accuracy: 3.3 * (n / 4).squareRoot())
    }

    /// A collapsed pair (i, i) adds log 2 to the mean and nothing to the gradient: a user with one real pair and one
    /// collapsed pair has the loss (-log sigmoid(s+ - s-) + log 2) / 2 and half the gradient of the real pair alone.
    func testCollapsedPairAddsLogTwoAndNoGradient() {
        // One user (row 0) and three items (rows 1-3) of dimension 2, in rows padded to the kernels' stride of 8:
        // the user scores item 0 at 1, item 1 at 0.5 and item 2 at 0.
        let rows: [[Float]] = [[1, 0.5], [1, 0], [0, 1], [0, 0]]
        let final = rows.flatMap { $0 + [Float](repeating: 0, count: 6) }
        func term(_ positives: [Int32], _ negatives: [Int32]) -> (loss: Float, gradient: [Float]) {
            var gradient = [Float](repeating: 0, count: final.count), touched: [Int32] = []
            let loss = PairwiseDistillation.accumulate(
                [0], pairStart: [0, positives.count], positives: positives, negatives: negatives, final: final,
                gradient: &gradient, stride: 8, userCount: 1, itemCount: 3, weight: 1, workspace: PerUserWorkspace(),
                touched: &touched)
            return (loss, gradient)
        }
        // The real pair (item 0, item 2), then with the collapsed pair (item 1, item 1).
        let real = term([0], [2]), mixed = term([0, 1], [2, 1])
        let margin: Float = 1 - 0
        XCTAssertEqual(real.loss, -log(1 / (1 + exp(-margin))), accuracy: 1e-6)
        XCTAssertEqual(mixed.loss, (real.loss + log(2)) / 2, accuracy: 1e-6)
        for k in 0..<final.count { XCTAssertEqual(mixed.gradient[k], real.gradient[k] / 2, accuracy: 1e-7, "entry \(k)") }
    }

    func testCollapsedReversedPairsAreRecordedOnlyWhenSet() throws {
        let ordered = try JSONEncoder().encode(UnKDConfiguration())
        XCTAssertFalse(String(decoding: ordered, as: UTF8.self).contains("reversedPairs"), "ordered pairs keep the old encoding")
        XCTAssertEqual(try JSONDecoder().decode(UnKDConfiguration.self, from: ordered), UnKDConfiguration())
        let collapsed = UnKDConfiguration(groups: 2, reversedPairs: .collapsed)
        let encoded = try JSONEncoder().encode(collapsed)
        XCTAssertTrue(String(decoding: encoded, as: UTF8.self).contains("\"reversedPairs\":\"collapsed\""))
        XCTAssertEqual(try JSONDecoder().decode(UnKDConfiguration.self, from: encoded), collapsed)
    }

    func testUsersWithTooFewCandidatesSkipTheGroup() {
        // User 0 has trained on all items of the head group {0} except none remain: its list there is empty.
        let train = InteractionMatrix(itemCount: 6, rows: [[0, 1, 2], [0, 3], [0, 4], [0, 5], [1]])
        var teacher = EmbeddingTable(rows: 5 + 6, dimension: 4)
        teacher.fill(rows: 0..<11) { 0.5 }
        let distiller = UnKDDistiller(configuration: UnKDConfiguration(groups: 2, pairsPerUser: 4), teacher: teacher, train: train, seed: 1)
        distiller.resample()
        XCTAssertEqual(distiller.groups.groups.first, [0])
        for user in 0..<5 {
            let pairs = distiller.pairStart[user + 1] - distiller.pairStart[user]
            XCTAssertEqual(pairs, 2, "only the second group yields pairs for user \(user)")
        }
    }

    /// Finite differences of the whole step with the UnKD term added to BPR.
    func testDistillationGradient() {
        let train = InteractionMatrix(itemCount: 8, rows: [[0, 1], [1, 2, 3], [0, 4], [5, 2], [0, 1, 6]])
        let split = DataSplit(train: train, validation: InteractionMatrix(userCount: 5, itemCount: 8), test: InteractionMatrix(userCount: 5, itemCount: 8))
        let teacher = Recommender(ModelConfiguration(backbone: .mf, dimension: 8), userCount: 5, itemCount: 8, seed: 4).parameters
        let distiller = UnKDDistiller(configuration: UnKDConfiguration(groups: 2, pairsPerUser: 4, weight: 0.7), teacher: teacher, train: train, seed: 2)
        distiller.resample()
        let batch = TrainingBatch(users: [0, 1, 4, 4], positives: [1, 2, 6, 0], negatives: [3, 7, 2, 5])
        for configuration in [ModelConfiguration(backbone: .mf, dimension: 6), ModelConfiguration(backbone: .lightGCN, dimension: 5, layers: 1)] {
            GradientCheck.assertMatchesFiniteDifferences(configuration, split: split, batch: batch, decay: 0.1, distillation: distiller)
        }
    }

    /// The mechanism the paper relies on, at the level of the samplers: the items a top-N distiller takes from this
    /// teacher (its top 10 here, the catalogue having only 200 items) are mostly popular, while UnKD's distillation items are spread over the popularity
    /// groups by construction (half of the pairs in each of two groups).
    func testUnKDSpreadsDistillationOverPopularityWhileTopListsDoNot() {
        let (split, teacher) = Self.fixture
        let evaluationGroups = PopularityGroups.popularUnpopular(train: split.train)
        let distiller = UnKDDistiller(configuration: UnKDConfiguration(groups: 2), teacher: teacher, train: split.train, seed: 1)
        distiller.resample()
        let unkdItems = distiller.pairPositives + distiller.pairNegatives
        let unkdUnpopular = Double(unkdItems.filter { evaluationGroups.groupOfItem[Int($0)] == 1 }.count) / Double(unkdItems.count)
        XCTAssertEqual(unkdUnpopular, 0.5, accuracy: 0.02)

        var evaluator = Evaluator(split: split, part: .test, cutoffs: [10])
        evaluator.blockSize = 64
        let topLists = evaluator.topLists(teacher, userCount: split.train.userCount).flatMap { $0 }
        let topUnpopular = Double(topLists.filter { evaluationGroups.groupOfItem[Int($0)] == 1 }.count) / Double(topLists.count)
        XCTAssertLessThan(topUnpopular, 0.3, "the teacher's top lists are dominated by popular items")
    }
}
