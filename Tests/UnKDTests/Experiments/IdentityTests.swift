import Foundation
import XCTest
@testable import UnKD

/// The typed identities keep the text result files and tables have always used.
final class IdentityTests: XCTestCase {
    /// `value` encoded as the single JSON string `text`, and decoded back from it.
    private func assertEncodes<T: Codable & Equatable>(_ value: T, as text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let json = try JSONEncoder().encode([value])
        XCTAssertEqual(String(decoding: json, as: UTF8.self), "[\"\(text)\"]", file: file, line: line)
        XCTAssertEqual(try JSONDecoder().decode([T].self, from: Data("[\"\(text)\"]".utf8)), [value], file: file, line: line)
    }

    func testEvaluationGroupsKeepTheirNames() throws {
        XCTAssertEqual(EvaluationGroup.allCases.map(\.rawValue), ["popular", "unpopular"])
        for group in EvaluationGroup.allCases {
            XCTAssertEqual(EvaluationGroup(rawValue: group.rawValue), group)
            try assertEncodes(group, as: group.rawValue)
        }
        XCTAssertNil(EvaluationGroup(rawValue: "Popular"))
    }
}
