import Foundation
import BenchHarness
import XCTest

final class BenchHarnessTests: XCTestCase {
    func testMedianIsTheMiddleMeasuredValue() {
        XCTAssertEqual(Timing.median([3, 1, 2]), 2)
        XCTAssertEqual(Timing.median([4, 1, 3, 2]), 3, "an even count gives the upper middle value, a measured one")
        XCTAssertEqual(Timing.median([0.5]), 0.5)
    }

    func testMeasureWarmsUpOnceAndTimesEachRun() {
        var calls = 0
        let times = Timing.measure(3) { calls += 1 }
        XCTAssertEqual(calls, 4)
        XCTAssertEqual(times.count, 3)
    }

    func testTargetsGiveTheirLimitAndText() {
        XCTAssertEqual(TimeTarget.seconds(0.12).limit(plainEpoch: 5), 0.12)
        XCTAssertEqual(TimeTarget.seconds(0.12).text(plainEpoch: 5), "<= 0.12")
        XCTAssertEqual(TimeTarget.seconds(15).text(plainEpoch: 5), "<= 15")
        XCTAssertEqual(TimeTarget.timesPlainEpoch(2).limit(plainEpoch: 0.125), 0.25)
        XCTAssertEqual(TimeTarget.timesPlainEpoch(2).text(plainEpoch: 0.125), "<= 2x = 0.250")
        XCTAssertEqual(TimeTarget.timesPlainEpoch(1.5).text(plainEpoch: 1), "<= 1.5x = 1.500")
        XCTAssertTrue(TimeTarget.timesPlainEpoch(10).isMet(by: 1.0, plainEpoch: 0.1))
        XCTAssertFalse(TimeTarget.timesPlainEpoch(10).isMet(by: 1.01, plainEpoch: 0.1))
        XCTAssertEqual(TimeTarget.seconds(0.5).column(for: 0.4, plainEpoch: 1), "<= 0.5")
        XCTAssertEqual(TimeTarget.timesPlainEpoch(2).column(for: 0.3, plainEpoch: 0.125), "<= 2x = 0.250 (missed)")
    }

    /// By hand: after r rounds chain k of 8 lanes is c (1 + m + ... + m^(r-1)) + (seed + k) m^r with c = 1e-7 and
    /// m = 0.9999999 (as Float, 1 - 2^-23), so the sum over chains and lanes is 8 x (8 c (1 + ... + m^(r-1)) + m^r (8 seed + 28)).
    func testRegisterLoopComputesItsChains() {
        func byHand(rounds: Int, seed: Double) -> Double {
            let c = Double(Float(1e-7)), m = Double(Float(0.999_999_9))
            let geometric = (0..<rounds).reduce(0.0) { sum, k in sum + pow(m, Double(k)) }
            return 8 * (8 * c * geometric + pow(m, Double(rounds)) * (8 * seed + 28))
        }
        XCTAssertEqual(TwoCoreCheck.registerArithmetic(rounds: 0, seed: 1), 8 * (8 + 28))
        for (rounds, seed) in [(1, 1.0), (2, 3.0), (1000, 2.0)] {
            XCTAssertEqual(Double(TwoCoreCheck.registerArithmetic(rounds: rounds, seed: Float(seed))), byHand(rounds: rounds, seed: seed),
                           accuracy: 1e-5 * byHand(rounds: rounds, seed: seed), "\(rounds) rounds")
        }
    }
}
