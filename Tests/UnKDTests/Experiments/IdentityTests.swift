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

    func testPaperMethodsKeepTheTablesNames() throws {
        XCTAssertEqual(PaperMethod.allCases.map(\.rawValue),
                       ["Teacher", "Student", "RD", "CD", "DE-RRD", "HTD", "UnKD", "PD teacher", "PD-CD", "PD-HTD"])
        for method in PaperMethod.allCases {
            XCTAssertEqual(PaperMethod(rawValue: method.rawValue), method)
            XCTAssertEqual("\(method)", method.rawValue)
            try assertEncodes(method, as: method.rawValue)
        }
    }

    func testGridCellsKeepTheirText() {
        XCTAssertEqual(GridCell.row(.pdTeacher).description, "PD teacher")
        XCTAssertEqual(GridCell.unkd(groups: 3).description, "UnKD K=3")
        XCTAssertEqual("\(GridCell.unkd(groups: 10))", "UnKD K=10")
        XCTAssertEqual(GridCell.tuning("weight 0.1", of: .rd).description, "RD weight 0.1")
        XCTAssertEqual(GridCell.tuning("alpha 0.1").description, "alpha 0.1")
        XCTAssertNotEqual(GridCell.unkd(groups: 4), .row(.unkd))
        XCTAssertEqual(GridResults.key("ml-1m", .mf, .unkd(groups: 4)), "ml-1m/mf/UnKD K=4")
    }

    /// Each row of the grid is an experiment of its own method, and of no other (the Teacher and the Student, both plain
    /// models, apart).
    func testEachRowDescribesItsOwnExperiments() {
        for backbone in Backbone.allCases {
            for (method, spec) in PaperGrid(dataset: "synthetic").rows(backbone, seed: 1) {
                let plain: [PaperMethod] = [.teacher, .student]
                XCTAssertEqual(PaperMethod.rows(describing: spec), plain.contains(method) ? plain : [method], "\(method)")
            }
        }
    }

    /// Every committed result file (the cross-check's files apart) decodes, and encodes again to the very bytes on disk.
    func testCommittedResultFilesRoundTrip() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("results")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" && !$0.pathComponents.contains("crosscheck") } ?? []
        try XCTSkipIf(files.isEmpty, "no committed results")
        for file in files {
            let data = try Data(contentsOf: file)
            let result = try JSONDecoder().decode(ExperimentResult.self, from: data)
            XCTAssertEqual(try encoder.encode(result), data, file.lastPathComponent)
        }
    }
}
