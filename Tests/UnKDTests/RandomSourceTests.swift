import XCTest
@testable import UnKD

final class RandomSourceTests: XCTestCase {
    func testSameSeedSameStreamAndLabelsAreIndependent() {
        var a = RandomSource(seed: 1), b = RandomSource(seed: 1)
        XCTAssertEqual((0..<10).map { _ in a.next() }, (0..<10).map { _ in b.next() })
        var x = RandomSource.derived(seed: 1, "split"), y = RandomSource.derived(seed: 1, "init")
        XCTAssertNotEqual(x.next(), y.next())
    }

    func testBelowIsUniform() {
        var random = RandomSource(seed: 3)
        var counts = [Int](repeating: 0, count: 7)
        let n = 70_000
        for _ in 0..<n { counts[random.below(7)] += 1 }
        let expected = Double(n) / 7
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chiSquare, 22.46)  // the 0.001 quantile of chi-square with 6 degrees of freedom
    }

    func testSampleWithoutReplacementAndShuffle() {
        var random = RandomSource(seed: 4)
        let picked = random.sample(Array(0..<50), count: 20)
        XCTAssertEqual(Set(picked).count, 20)
        var deck = Array(0..<50)
        random.shuffle(&deck)
        XCTAssertEqual(deck.sorted(), Array(0..<50))
        XCTAssertNotEqual(deck, Array(0..<50))
    }

    func testNormalMoments() {
        var random = RandomSource(seed: 5)
        let draws = (0..<50_000).map { _ in random.normal() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
    }

    /// Both Gumbel draws have the standard Gumbel's mean (Euler's gamma) and variance (pi^2 / 6) within five standard
    /// errors at this seed, and the single-precision one is always finite.
    func testGumbelDrawsHaveTheStandardMoments() {
        var random = RandomSource(seed: 17)
        let count = 200_000, gamma = 0.5772156649, variance = Double.pi * Double.pi / 6
        let double = { (r: inout RandomSource) in r.gumbel() }
        let single = { (r: inout RandomSource) in Double(RandomSource.gumbel(bits: r.gumbelBits())) }
        for draw in [double, single] {
            var sum = 0.0, squares = 0.0
            for _ in 0..<count {
                let x = draw(&random)
                XCTAssertTrue(x.isFinite)
                sum += x
                squares += x * x
            }
            let mean = sum / Double(count)
            XCTAssertEqual(mean, gamma, accuracy: 5 * (variance / Double(count)).squareRoot())
            XCTAssertEqual(squares / Double(count) - mean * mean, variance, accuracy: 0.05)
        }
    }
}
