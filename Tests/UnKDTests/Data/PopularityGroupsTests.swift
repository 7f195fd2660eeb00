import XCTest
@testable import UnKD

final class PopularityGroupsTests: XCTestCase {
    func testHandComputedPartition() {
        // total 30, K = 3, target 10; order 0(10) 2(6) 5(4) 7(4) 3(3) 6(2) 1(1); item 4 has no interaction.
        let groups = PopularityGroups(popularity: [10, 1, 6, 3, 0, 4, 2, 4], groupCount: 3)
        XCTAssertEqual(groups.groups, [[0], [2, 5], [7, 3, 6, 1]])
        XCTAssertEqual(groups.groupOfItem, [0, 2, 1, 2, -1, 1, 2, 2])
    }

    func testSingleHeavyItemFormsItsOwnGroup() {
        XCTAssertEqual(PopularityGroups(popularity: [20, 5, 3, 2], groupCount: 2).groups, [[0], [1, 2, 3]])
    }

    func testSmallTailMergesIntoLastGroup() {
        // target 16/3; the remainder {3} weighs 1 < target/2 and joins the group before it.
        XCTAssertEqual(PopularityGroups(popularity: [5, 5, 5, 1], groupCount: 3).groups, [[0], [1], [2, 3]])
    }

    func testTiesFollowTheGivenOrder() {
        let byID = PopularityGroups(popularity: [2, 2, 2, 2], groupCount: 2)
        XCTAssertEqual(byID.groups, [[0, 1], [2, 3]])
        let byFirstSeen = PopularityGroups(popularity: [2, 2, 2, 2], tieOrder: [3, 2, 1, 0], groupCount: 2)
        XCTAssertEqual(byFirstSeen.groups, [[3, 2], [1, 0]])
    }

    func testInvariantsOnRandomPopularity() {
        var random = RandomSource(seed: 99)
        for trial in 0..<200 {
            let n = 1 + random.below(300)
            let popularity = (0..<n).map { _ in random.below(4) == 0 ? 0 : Int(pow(Double(1 + random.below(1000)), 1.5)) / 10 }
            let k = 1 + random.below(10)
            let groups = PopularityGroups(popularity: popularity, groupCount: k)
            let total = popularity.reduce(0, +)
            let members = groups.groups.flatMap { $0 }
            XCTAssertEqual(Set(members).count, members.count, "trial \(trial): an item in two groups")
            XCTAssertEqual(Set(members.map(Int.init)), Set((0..<n).filter { popularity[$0] > 0 }), "trial \(trial)")
            for g in 0..<max(0, groups.count - 1) {
                let lighterHead = groups.groups[g].map { popularity[Int($0)] }.min()!
                let heavierTail = groups.groups[g + 1].map { popularity[Int($0)] }.max()!
                XCTAssertGreaterThanOrEqual(lighterHead, heavierTail, "trial \(trial): groups out of order")
                let sum = groups.groups[g].reduce(0) { $0 + popularity[Int($1)] }
                XCTAssertTrue(groups.groups[g].count == 1 || Double(sum) <= Double(total) / Double(k), "trial \(trial)")
            }
            // Every group weighs more than half the target (a closed group plus the next, lighter-or-equal item
            // exceeds the target; a small remainder is merged), so there are fewer than 2K groups.
            if total > 0 { XCTAssertLessThan(groups.count, 2 * k, "trial \(trial)") }
            for item in 0..<n { XCTAssertEqual(groups.groupOfItem[item] < 0, popularity[item] == 0) }
        }
    }

    /// On smooth, moderately long-tailed popularity the rule gives exactly K groups. (With a steeper head it can
    /// form one extra group, e.g. K = 9 on a Zipf exponent of 0.9 gives 10; the invariant test bounds that.)
    func testZipfPopularityGivesExactlyKGroups() {
        let popularity = (1...3000).map { Int(20_000 / pow(Double($0), 0.7)) }
        for k in 1...10 { XCTAssertEqual(PopularityGroups(popularity: popularity, groupCount: k).count, k, "K = \(k)") }
    }

    func testEvaluationGroupsAreTheTwoGroupPartitionOfTraining() {
        let train = InteractionMatrix(itemCount: 4, rows: [[0, 1], [0, 2], [0, 1, 3]])
        let groups = PopularityGroups.popularUnpopular(train: train)
        XCTAssertEqual(groups.groups, [[0], [1, 2, 3]])  // 3 of 7 interactions, then the rest
    }
}
