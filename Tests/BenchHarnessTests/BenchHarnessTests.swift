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
        XCTAssertTrue(times.allSatisfy { $0 >= 0 })
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
    }

    /// One round by hand: chain k of 8 lanes becomes 1e-7 + (seed + k) x 0.9999999, so the sum is
    /// 8 x (8e-7 + 0.9999999 x (8 seed + 28)).
    func testRegisterLoopComputesItsChains() {
        XCTAssertEqual(TwoCoreCheck.registerArithmetic(rounds: 0, seed: 1), 8 * (8 + 28))
        XCTAssertEqual(Double(TwoCoreCheck.registerArithmetic(rounds: 1, seed: 1)), 8 * (8e-7 + 0.999_999_9 * 36), accuracy: 1e-4)
        XCTAssertEqual(TwoCoreCheck.registerArithmetic(rounds: 1000, seed: 2), TwoCoreCheck.registerArithmetic(rounds: 1000, seed: 2))
    }
}
