import Foundation
import XCTest
@testable import UnKD

final class CDTests: XCTestCase {
    /// P(min of two independent draws = r) = S_r^2 - S_{r+1}^2, S_r the probability of a draw >= r.
    static func minimumOfTwo(_ configuration: CDConfiguration, length: Int) -> [Double] {
        let weights = (0..<length).map(configuration.positionWeight)
        let total = weights.reduce(0, +)
        var tail = [Double](repeating: 0, count: length + 1)
        for r in stride(from: length - 1, through: 0, by: -1) { tail[r] = tail[r + 1] + weights[r] / total }
        return (0..<length).map { (r: Int) -> Double in
            let atLeast = tail[r], beyond = tail[r + 1]
            return atLeast * atLeast - beyond * beyond
        }
    }

    /// Chi-square statistic of `counts` against `probabilities`, the last bins pooled until each expects at least 5,
    /// with its 0.001 upper quantile (Wilson-Hilferty).
    static func chiSquare(_ counts: [Int], _ probabilities: [Double]) -> (statistic: Double, critical: Double) {
        let n = Double(counts.reduce(0, +))
        var observed: [Double] = [], expected: [Double] = []
        for (count, p) in zip(counts, probabilities) {
            if let last = expected.last, last < 5 {
                observed[observed.count - 1] += Double(count)
                expected[expected.count - 1] += n * p
            } else {
                observed.append(Double(count))
                expected.append(n * p)
            }
        }
        while expected.count > 1 && expected.last! < 5 {
            let o = observed.removeLast(), e = expected.removeLast()
            observed[observed.count - 1] += o
            expected[expected.count - 1] += e
        }
        let statistic = zip(observed, expected).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) / $1.1 }
        let k = Double(expected.count - 1), z = 3.090
        let critical = k * pow(1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot(), 3)
        return (statistic, critical)
    }

    /// The kept position is distributed as the better of two independent draws: chi-square tests of 100,000
    /// tournaments, on steep weights (where the tournament's skew is obvious) and on the official near-uniform ones.
    func testTournamentKeepsTheBetterOfTwoDraws() {
        var random = RandomSource(seed: 31)
        for (configuration, length) in [(CDConfiguration(candidateCount: 20, lambda: 4), 20), (CDConfiguration(), 20)] {
            var counts = [Int](repeating: 0, count: length)
            for _ in 0..<100_000 { counts[CDDistiller.keptPosition(length: length, configuration: configuration, &random)] += 1 }
            let (statistic, critical) = Self.chiSquare(counts, Self.minimumOfTwo(configuration, length: length))
            XCTAssertLessThan(statistic, critical, "lambda \(configuration.lambda): chi-square \(statistic)")
        }
    }

    /// On the official list of 3000 the mean kept position matches the exact expectation of the minimum of two
    /// near-uniform draws (987, about a third of the list, where a single draw would average about 1490).
    func testMeanKeptPositionOnTheOfficialList() {
        let configuration = CDConfiguration(), length = 3000, draws = 100_000
        let p = Self.minimumOfTwo(configuration, length: length)
        let mean = p.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element }
        let variance = p.enumerated().reduce(0.0) { $0 + pow(Double($1.offset) - mean, 2) * $1.element }
        var random = RandomSource(seed: 5)
        var sum = 0.0
        for _ in 0..<draws { sum += Double(CDDistiller.keptPosition(length: length, configuration: configuration, &random)) }
        XCTAssertEqual(sum / Double(draws), mean, accuracy: 5 * (variance / Double(draws)).squareRoot())
        XCTAssertEqual(mean, 987.04, accuracy: 0.01)
    }

    /// Each user gets exactly 50 items, never a training positive, each the candidate at its kept position in the
    /// teacher's ranking (up to float rounding between BLAS and a plain loop), with the whole candidate list (the
    /// official N = 3000 exceeds this catalogue) and with a list of 25.
    func testItemsAreTheTeachersCandidatesAtTheKeptPositions() {
        let (split, teacher) = UnKDTests.fixture
        let users = split.train.userCount
        for configuration in [CDConfiguration(), CDConfiguration(candidateCount: 25)] {
            let cd = CDDistiller(configuration: configuration, teacher: teacher, train: split.train, seed: 7)
            for user in 0..<users {
                let range = cd.itemStart[user]..<cd.itemStart[user + 1]
                XCTAssertEqual(range.count, 50)
                for s in range { XCTAssertFalse(split.train.contains(user: user, item: cd.items[s]), "user \(user) got a training positive") }
                guard user % 4 == 0 else { continue }
                let candidates = (0..<Int32(split.train.itemCount)).filter { !split.train.contains(user: user, item: $0) }
                let scores = candidates.map { RDTests.teacherScore(teacher, user: user, item: $0, userCount: users) }.sorted(by: >)
                for s in range {
                    let position = Int(cd.positions[s])
                    XCTAssertLessThan(position, min(configuration.candidateCount, candidates.count))
                    let score = RDTests.teacherScore(teacher, user: user, item: cd.items[s], userCount: users)
                    XCTAssertLessThanOrEqual(scores.prefix { $0 > score + 1e-5 }.count, position)
                    XCTAssertGreaterThanOrEqual(scores.prefix { $0 > score - 1e-5 }.count, position + 1)
                }
            }
        }
    }

    func testSoftLabelsAreTheSigmoidOfHalfTheTeacherScore() {
        let (split, teacher) = UnKDTests.fixture
        let users = split.train.userCount
        let cd = CDDistiller(configuration: CDConfiguration(), teacher: teacher, train: split.train, seed: 7)
        let shifted = CDDistiller(configuration: CDConfiguration(temperature: 1, shift: 0.5), teacher: teacher, train: split.train, seed: 7)
        XCTAssertEqual(cd.items, shifted.items, "the labels' settings do not change the draws")
        for user in stride(from: 0, to: users, by: 3) {
            for s in cd.itemStart[user]..<cd.itemStart[user + 1] {
                let score = Double(RDTests.teacherScore(teacher, user: user, item: cd.items[s], userCount: users))
                XCTAssertEqual(Double(cd.softLabels[s]), 1 / (1 + exp(-score / 2)), accuracy: 1e-5)
                XCTAssertEqual(Double(shifted.softLabels[s]), 1 / (1 + exp(-(score + 0.5))), accuracy: 1e-5)
            }
        }
    }

    func testShortListsRepeatItemsAndLabelsAreFixed() {
        let cd = CDDistiller(configuration: CDConfiguration(candidateCount: 3), teacher: RDTests.tinyTeacher, train: RDTests.tiny.train, seed: 1)
        XCTAssertEqual(cd.baseWeight, 1)
        for user in 0..<5 {
            let items = cd.items[cd.itemStart[user]..<cd.itemStart[user + 1]]
            XCTAssertEqual(items.count, 50, "50 tournaments, duplicates kept")
            XCTAssertLessThanOrEqual(Set(items).count, 3)
        }
        let before = (cd.items, cd.softLabels)
        cd.beginEpoch(2)
        XCTAssertEqual(before.0, cd.items)
        XCTAssertEqual(before.1, cd.softLabels)
    }

    func testDistillationSpecBuildsCD() throws {
        let configuration = CDConfiguration(candidateCount: 4, weight: 0.2)
        let method = DistillationMethod.cd(configuration)
        XCTAssertEqual(method.row.rawValue, "CD")
        XCTAssertEqual(try JSONDecoder().decode(DistillationMethod.self, from: JSONEncoder().encode(method)), method)
        let teacherConfiguration = ModelConfiguration(backbone: .mf, dimension: 8)
        let training = TrainingConfiguration(learningRate: 0.01, decay: 0.01)
        let teacher = TrainedModel(
            spec: ModelSpec(dataset: "tiny", model: teacherConfiguration, training: training, seed: 4),
            model: Recommender(configuration: teacherConfiguration, userCount: 5, itemCount: 8, parameters: RDTests.tinyTeacher),
            history: TrainingHistory(), graph: nil, loaded: false)
        let term = DistillationSpec(method: method, teacher: TeacherSpec(model: teacherConfiguration, training: training, seed: 4))
            .makeTerm(teacher: teacher, train: RDTests.tiny.train, student: training, studentModel: .student(.mf), seed: 1)
        XCTAssertEqual(try XCTUnwrap(term as? CDDistiller).configuration, configuration)
    }

    /// Finite differences of the whole step: BPR and L2 plus kd times the soft-label cross-entropy.
    func testDistillationGradient() {
        let cd = CDDistiller(configuration: CDConfiguration(candidateCount: 4, itemsPerUser: 5, temperature: 0.5, shift: 0.1, weight: 0.7),
                             teacher: RDTests.tinyTeacher, train: RDTests.tiny.train, seed: 2)
        for configuration in [ModelConfiguration(backbone: .mf, dimension: 6), ModelConfiguration(backbone: .lightGCN, dimension: 5, layers: 1)] {
            GradientCheck.assertMatchesFiniteDifferences(configuration, split: RDTests.tiny, batch: RDTests.tinyBatch, decay: 0.1,
                                                         distillation: cd)
        }
    }

    /// The mechanism at the sampler level. CD's items come from the teacher's top list, so they are mostly popular when
    /// the list is a small part of the catalogue: the official 3000 is 12% of CiteULike's items; 25 is the same share
    /// of this 200-item catalogue (measured 0.13 unpopular). With the official 3000 the list here is every candidate
    /// and the near-uniform draws spread like the candidates (measured 0.74); on MovieLens-1M 3000 is 81% of the items.
    func testItemsFromAShortTopListOfABiasedTeacherAreMostlyPopular() {
        let (split, teacher) = UnKDTests.fixture
        let groups = PopularityGroups.popularUnpopular(train: split.train)
        func unpopularShare(_ configuration: CDConfiguration) -> Double {
            let cd = CDDistiller(configuration: configuration, teacher: teacher, train: split.train, seed: 1)
            return Double(cd.items.filter { groups.groupOfItem[Int($0)] == 1 }.count) / Double(cd.items.count)
        }
        // Against what the teacher's ranking implies: each user's candidates ranked by the teacher's score (computed
        // here by plain loops), each position weighted by its probability of being kept (the better of two draws).
        let users = split.train.userCount
        var candidateShare = 0.0, expectedShare = 0.0
        for user in 0..<users {
            let ranked = (0..<Int32(split.train.itemCount)).filter { !split.train.contains(user: user, item: $0) }
                .map { (RDTests.teacherScore(teacher, user: user, item: $0, userCount: users), $0) }
                .sorted { $0.0 > $1.0 }.map(\.1)
            let unpopular = ranked.map { groups.groupOfItem[Int($0)] == 1 ? 1.0 : 0.0 }
            candidateShare += unpopular.reduce(0, +) / Double(ranked.count) / Double(users)
            let kept = Self.minimumOfTwo(CDConfiguration(), length: ranked.count)
            expectedShare += zip(kept, unpopular).reduce(0) { $0 + $1.0 * $1.1 } / Double(users)
        }
        XCTAssertLessThan(unpopularShare(CDConfiguration(candidateCount: 25)), candidateShare / 2)
        XCTAssertEqual(unpopularShare(CDConfiguration()), expectedShare, accuracy: 0.03)
    }
}
