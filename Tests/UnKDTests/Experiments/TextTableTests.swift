import XCTest
@testable import UnKD

final class TextTableTests: XCTestCase {
    /// Fields with commas, quotes and line breaks survive a round trip through CSV.
    func testCSVRoundTrip() throws {
        var table = TextTable(header: ["dataset", "cell", "note"])
        table.append(["MovieLens", "0.1366 ± 0.0018 (0.1547)", "plain"])
        table.append(["Apps", "a, b", "he said \"no\"\nthen left"])
        table.append(["", "", ""])
        let csv = table.rendered(.csv)
        let back = try TextTable(csv: csv)
        XCTAssertEqual(back.header, table.header)
        XCTAssertEqual(back.rows, table.rows)
        XCTAssertEqual(back.rendered(.csv), csv)
    }

    /// A record with the wrong number of fields is reported with its line; so is an unclosed quote.
    func testMarkdownEscapesPipesInCells() {
        var table = TextTable(header: ["max |diff|", "n"])
        table.append(["a|b", "1"])
        XCTAssertEqual(table.rendered(.markdown), "| max \\|diff\\| | n |\n|--------------|---|\n| a\\|b         | 1 |\n")
    }

    func testMalformedCSVNamesTheLine() {
        XCTAssertThrowsError(try TextTable(csv: "a,b\n1,2\n3\n")) { error in
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
        }
        XCTAssertThrowsError(try TextTable(csv: "a,b\n\"1,2\n")) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
        XCTAssertThrowsError(try TextTable(csv: ""))
    }
}
