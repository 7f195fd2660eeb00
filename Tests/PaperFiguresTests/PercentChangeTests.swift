import PaperFigures
import XCTest

/// The relative change in percent, on values worked out by hand.
final class PercentChangeTests: XCTestCase {
    func testTheChangeIsRelativeToTheBase() {
        // (0.3 - 0.25) / 0.25 = 0.05 / 0.25 = 20%; (0.2 - 0.25) / 0.25 = -20%.
        XCTAssertEqual(percentChange(0.3, over: 0.25), 20, accuracy: 1e-12)
        XCTAssertEqual(percentChange(0.2, over: 0.25), -20, accuracy: 1e-12)
        // Doubling is +100%, halving -50%, no change 0.
        XCTAssertEqual(percentChange(0.4, over: 0.2), 100, accuracy: 1e-12)
        XCTAssertEqual(percentChange(0.1, over: 0.2), -50, accuracy: 1e-12)
        XCTAssertEqual(percentChange(0.25, over: 0.25), 0)
    }

    func testTheTextIsSignedWithOneDecimal() {
        XCTAssertEqual(percentChangeText(0.3, over: 0.25), "+20.0%")
        XCTAssertEqual(percentChangeText(0.2, over: 0.25), "-20.0%")
        XCTAssertEqual(percentChangeText(0.25, over: 0.25), "+0.0%")
        // (0.1234 - 0.1) / 0.1 = 0.234: 23.4%.
        XCTAssertEqual(percentChangeText(0.1234, over: 0.1), "+23.4%")
        // (0.0962 - 0.1) / 0.1 = -0.038: -3.8%.
        XCTAssertEqual(percentChangeText(0.0962, over: 0.1), "-3.8%")
    }

    func testNoBaseGivesADash() {
        XCTAssertEqual(percentChangeText(0.1, over: 0), "-")
        XCTAssertEqual(percentChangeText(0.1, over: -0.1), "-")
        XCTAssertEqual(percentChangeText(0.1, over: .nan), "-")
    }
}
