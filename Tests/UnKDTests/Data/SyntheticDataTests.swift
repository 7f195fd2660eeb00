import XCTest
@testable import UnKD

final class SyntheticDataTests: XCTestCase {
    func testSameSeedSameData() {
        let a = SyntheticData(.small, seed: 5), b = SyntheticData(.small, seed: 5), c = SyntheticData(.small, seed: 6)
        XCTAssertEqual(a.dataset.interactions, b.dataset.interactions)
        XCTAssertNotEqual(a.dataset.interactions, c.dataset.interactions)
    }

    func testShapeAndActivity() {
        let config = SyntheticConfiguration.small
        let data = SyntheticData(config, seed: 1).dataset.interactions
        XCTAssertEqual(data.userCount, config.users)
        XCTAssertEqual(data.itemCount, config.items)
        for user in 0..<data.userCount { XCTAssertGreaterThanOrEqual(data.degree(of: user), config.minInteractions) }
        let mean = Double(data.interactionCount) / Double(data.userCount)
        XCTAssertEqual(mean, config.meanInteractions, accuracy: 0.2 * config.meanInteractions)
    }

    /// Observed popularity follows the propensity: the top tenth of items by propensity gets far more
    /// interactions than the bottom tenth; with popularityStrength 0 the difference disappears.
    func testPopularityEffectIsKnownAndControllable() {
        func headToTailRatio(strength: Double) -> Double {
            var config = SyntheticConfiguration.small
            config.popularityStrength = strength
            let synthetic = SyntheticData(config, seed: 3)
            let counts = synthetic.dataset.interactions.itemPopularity()
            let order = (0..<config.items).sorted { synthetic.propensity[$0] > synthetic.propensity[$1] }
            let tenth = config.items / 10
            let head = order.prefix(tenth).reduce(0) { $0 + counts[$1] }
            let tail = order.suffix(tenth).reduce(0) { $0 + counts[$1] }
            return Double(head) / Double(max(tail, 1))
        }
        XCTAssertGreaterThan(headToTailRatio(strength: SyntheticConfiguration.small.popularityStrength), 5)
        XCTAssertLessThan(headToTailRatio(strength: 0), 2)
    }

    /// Users observe the items they truly like: observed pairs have a higher mean true affinity than unobserved ones.
    func testAffinityEffect() {
        let synthetic = SyntheticData(.small, seed: 4)
        let m = synthetic.dataset.interactions
        var observed = 0.0, observedCount = 0.0, other = 0.0, otherCount = 0.0
        for user in 0..<m.userCount {
            for item in 0..<m.itemCount {
                let a = synthetic.trueAffinity(user: user, item: item)
                if m.contains(user: user, item: Int32(item)) { observed += a; observedCount += 1 } else { other += a; otherCount += 1 }
            }
        }
        XCTAssertGreaterThan(observed / observedCount, other / otherCount + 0.5)
    }
}
