import CPairTermFloor
import XCTest

/// `bench`'s hand-written lower bound of UnKD's pair term must do all the work of the term it stands for, or its time
/// would bound nothing: its margins, slopes and both gradients against a case worked out by hand.
final class PairTermFloorTests: XCTestCase {
    func testMarginsSlopesAndGradientsOfTwoPairsByHand() {
        // 16-float rows with two meaningful lanes: user (1, 2); items 0 = (1, 0), 1 = (0, 1), 2 = (2, 2).
        func row(_ a: Float, _ b: Float) -> [Float] { [a, b] + [Float](repeating: 0, count: 14) }
        let user = row(1, 2), items = row(1, 0) + row(0, 1) + row(2, 2)
        let positives: [Int32] = [0, 2], negatives: [Int32] = [1, 0]
        var slopes = [Float](repeating: 0, count: 2)
        var userGradient = [Float](repeating: 0, count: 16)
        var itemGradient = [Float](repeating: 0, count: 48)
        itemGradient[16] = 1  // gradients are added to what is there
        unkd_pair_term_floor(user, 2, positives, negatives, items, 1, &slopes, &userGradient, &itemGradient)
        // Margins: <u, i0 - i1> = 1 - 2 = -1 and <u, i2 - i0> = 1 + 4 = 5; slope -(1 - m / (1 + |m|)) / 2.
        XCTAssertEqual(slopes[0], -0.75, accuracy: 1e-6)
        XCTAssertEqual(slopes[1], -1.0 / 12, accuracy: 1e-6)
        // User: -0.75 (i0 - i1) - (i2 - i0) / 12 = (-0.75 - 1/12, 0.75 - 2/12).
        XCTAssertEqual(userGradient[0], -0.75 - 1.0 / 12, accuracy: 1e-6)
        XCTAssertEqual(userGradient[1], 0.75 - 2.0 / 12, accuracy: 1e-6)
        // Item 0 is the positive of pair 0 and the negative of pair 1: (-0.75 + 1/12) u.
        XCTAssertEqual(itemGradient[0], -2.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(itemGradient[1], -4.0 / 3, accuracy: 1e-6)
        // Item 1, the negative of pair 0: 1 + 0.75 u in lane 0, 0.75 u in lane 1.
        XCTAssertEqual(itemGradient[16], 1.75, accuracy: 1e-6)
        XCTAssertEqual(itemGradient[17], 1.5, accuracy: 1e-6)
        // Item 2, the positive of pair 1: -u / 12.
        XCTAssertEqual(itemGradient[32], -1.0 / 12, accuracy: 1e-6)
        XCTAssertEqual(itemGradient[33], -2.0 / 12, accuracy: 1e-6)
        // The padding lanes stay zero.
        for k in 2..<16 {
            XCTAssertEqual(userGradient[k], 0)
            for item in 0..<3 { XCTAssertEqual(itemGradient[item * 16 + k], 0) }
        }
    }
}
