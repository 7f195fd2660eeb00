import XCTest

@testable import Plotting

/// The segment-rectangle test that keeps reference labels off the data, on cases worked out by hand.
final class GeometryTests: XCTestCase {
    let box = Rect(x: 10, y: 10, width: 20, height: 10)  // x 10...30, y 10...20

    func testSegmentsThatTouchTheRectangle() {
        XCTAssertTrue(box.intersects(from: Point(x: 0, y: 15), to: Point(x: 40, y: 15)), "straight through")
        XCTAssertTrue(box.intersects(from: Point(x: 12, y: 12), to: Point(x: 14, y: 14)), "wholly inside")
        XCTAssertTrue(box.intersects(from: Point(x: 20, y: 15), to: Point(x: 50, y: 50)), "one end inside")
        XCTAssertTrue(box.intersects(from: Point(x: 0, y: 0), to: Point(x: 40, y: 40)), "diagonal through a corner region")
        XCTAssertTrue(box.intersects(from: Point(x: 30, y: 0), to: Point(x: 30, y: 40)), "along an edge")
        XCTAssertTrue(box.intersects(from: Point(x: 15, y: 15), to: Point(x: 15, y: 15)), "a point inside")
    }

    func testSegmentsThatMissTheRectangle() {
        XCTAssertFalse(box.intersects(from: Point(x: 0, y: 5), to: Point(x: 40, y: 5)), "passes above")
        XCTAssertFalse(box.intersects(from: Point(x: 0, y: 15), to: Point(x: 9, y: 15)), "stops short")
        // From (0, 20) to (20, 40): y = x + 20, which is 30 or more where x >= 10, below the rectangle's y <= 20.
        XCTAssertFalse(box.intersects(from: Point(x: 0, y: 20), to: Point(x: 20, y: 40)), "misses the corner")
        XCTAssertFalse(box.intersects(from: Point(x: 5, y: 5), to: Point(x: 5, y: 5)), "a point outside")
    }
}
