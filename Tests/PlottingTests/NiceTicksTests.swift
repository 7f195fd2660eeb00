import XCTest

@testable import Plotting

/// The nice-tick algorithm on ranges whose answers were worked out by hand.
final class NiceTicksTests: XCTestCase {
    func testUnitRangeStepsByFifths() {
        let t = NiceTicks.inside(0, 1, maxCount: 6)
        XCTAssertEqual(t.step, 0.2)
        XCTAssertEqual(t.values, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(t.decimals, 1)
    }

    func testTinyValuesGetExactDecimalTicks() {
        // Step 0.00002 would need 11 ticks; 0.00005 needs 5.
        let t = NiceTicks.inside(0.0001, 0.0003, maxCount: 6)
        XCTAssertEqual(t.step, 0.00005)
        XCTAssertEqual(t.values, [0.0001, 0.00015, 0.0002, 0.00025, 0.0003])
        XCTAssertEqual(t.decimals, 5)
    }

    func testNegativeRanges() {
        XCTAssertEqual(NiceTicks.inside(-0.3, -0.1, maxCount: 6).values, [-0.3, -0.25, -0.2, -0.15, -0.1])
        // Covering -12...7: step 2 needs -12...8 (11 ticks), step 5 needs -15...10 (6 ticks).
        let c = NiceTicks.covering(-12, 7, maxCount: 6)
        XCTAssertEqual(c.step, 5)
        XCTAssertEqual(c.values, [-15, -10, -5, 0, 5, 10])
        XCTAssertEqual(c.decimals, 0)
        XCTAssertEqual(NiceTicks.inside(-12, 7, maxCount: 6).values, [-10, -5, 0, 5])
    }

    func testEqualValuesAreWidenedByOneUnitOfTheirMagnitude() {
        XCTAssertEqual(NiceTicks.inside(5, 5).values, [4, 4.5, 5, 5.5, 6])
        XCTAssertEqual(NiceTicks.covering(5, 5).values, [4, 4.5, 5, 5.5, 6])
        XCTAssertEqual(NiceTicks.inside(0, 0).values, [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(NiceTicks.inside(0.02, 0.02).values, [0.01, 0.015, 0.02, 0.025, 0.03])
    }

    func testRecallLikeRanges() {
        XCTAssertEqual(NiceTicks.inside(0.098, 0.142, maxCount: 6).values, [0.10, 0.11, 0.12, 0.13, 0.14])
        XCTAssertEqual(NiceTicks.covering(0, 0.93, maxCount: 6).values, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(NiceTicks.inside(0, 0.14, maxCount: 5).values, [0, 0.05, 0.1])
    }

    /// Over many ranges: never more ticks than allowed, all inside (or covering) the range, and a 1-2-5 step.
    func testInvariantsOverManyRanges() {
        var seed: UInt64 = 42
        func random() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for _ in 0..<2000 {
            let magnitude = pow(10, (random() * 12).rounded(.down) - 6)
            let a = (random() - 0.5) * 10 * magnitude
            let b = a + random() * 10 * magnitude
            let maxCount = 2 + Int(random() * 8)
            let inside = NiceTicks.inside(a, b, maxCount: maxCount)
            XCTAssertLessThanOrEqual(inside.values.count, maxCount)
            let span = max(b - a, 1e-300)
            for v in inside.values {
                XCTAssert(v >= a - 1e-9 * span && v <= b + 1e-9 * span, "\(v) outside \(a)...\(b)")
            }
            let covering = NiceTicks.covering(a, b, maxCount: max(maxCount, 3))
            XCTAssertLessThanOrEqual(covering.values.count, max(maxCount, 3))
            XCTAssertLessThanOrEqual(covering.values.first!, a + 1e-9 * span)
            XCTAssertGreaterThanOrEqual(covering.values.last!, b - 1e-9 * span)
            let mantissa = covering.step / pow(10, log10(covering.step).rounded(.down))
            XCTAssert([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(covering.step)")
        }
    }

    func testTicksPrintWithoutFloatingPointNoise() {
        let t = NiceTicks.inside(0, 1, maxCount: 11)
        let labels = t.values.map { TickFormat.plain().string(for: $0, stepDecimals: t.decimals) }
        XCTAssertEqual(labels, ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
        XCTAssertEqual(t.values[3], 0.3)
    }
}

/// Tick and value label text.
final class TickFormatTests: XCTestCase {
    func testPlainAndPercent() {
        XCTAssertEqual(TickFormat.plain(decimals: 3).string(for: 0.14), "0.140")
        XCTAssertEqual(TickFormat.plain().string(for: 0.15, stepDecimals: 2), "0.15")
        XCTAssertEqual(TickFormat.percent(decimals: 0).string(for: 0.25), "25%")
        XCTAssertEqual(TickFormat.percent().string(for: 0.2, stepDecimals: 1), "20%")
        XCTAssertEqual(TickFormat.percent().string(for: 0.125, stepDecimals: 3), "12.5%")
    }

    func testSignsAndNegativeZero() {
        XCTAssertEqual(TickFormat.percent(decimals: 0, signed: true).string(for: 0.12), "+12%")
        XCTAssertEqual(TickFormat.percent(decimals: 0, signed: true).string(for: -0.12), "-12%")
        XCTAssertEqual(TickFormat.percent(decimals: 0, signed: true).string(for: 0), "0%")
        XCTAssertEqual(TickFormat.plain(decimals: 2).string(for: -0.0001), "0.00")
        XCTAssertEqual(TickFormat.plain(decimals: 1).string(for: -0.0), "0.0")
    }

    func testValueLabelsGetEnoughDecimalsForTheirValues() {
        XCTAssertEqual(ValueLabels.decimals(for: [1.5, 2.25, 3], atLeast: 1), 2)
        XCTAssertEqual(ValueLabels.decimals(for: [0.42, 0.58], atLeast: 1), 2)
        XCTAssertEqual(ValueLabels.decimals(for: [1, 2], atLeast: 0), 0)
        XCTAssertEqual(ValueLabels.decimals(for: [0.123456], atLeast: 1), 2)
    }
}
