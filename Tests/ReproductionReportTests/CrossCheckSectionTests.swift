import Foundation
import ReproductionReport
import UnKD
import XCTest

/// The section on the authors' code, from hand-made driver files.
final class CrossCheckSectionTests: XCTestCase {
    /// Writes one end-to-end result of the authors' code as the driver does.
    func writeRun(_ folder: URL, method: String, groups: Int?, seed: Int, recall: Double, unpopular: Double,
                  lightGCN: Bool = false) throws {
        let settings = "\"method\": \"\(method)\", \"seed\": \(seed), \"kdWeight\": 1" + (groups.map { ", \"groups\": \($0), \"sampleNum\": 30" } ?? "")
            + (lightGCN ? ", \"student\": {\"backbone\": \"lightgcn\", \"model\": \"LightGCN\", \"dimension\": 10, \"layers\": 1}" : "")
        let json = """
        {"settings": {\(settings)}, "testAt10": {"recall": \(recall), "popularRecall": 0.2, "unpopularRecall": \(unpopular)},
         "bestEpoch": 100, "trainingSeconds": 60, "authorsCommit": "57abd1a327f6e282743c10618511f21718ef0232"}
        """
        let name = "authors-\(method)\(groups.map { "-K\($0)" } ?? "")\(lightGCN ? "-lightgcn" : "")-seed\(seed).json"
        try Data(json.utf8).write(to: folder.appendingPathComponent(name))
    }

    func testStageEStatesWhatTheAuthorsCodeSaysAgainstItsOwnStudent() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crosscheck-section-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("ml-1m-unkd-code")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Their UnKD: overall +4% and +6% over their Student, unpopular -20% and -25%.
        try writeRun(folder, method: "Student", groups: nil, seed: 2022, recall: 0.1250, unpopular: 0.0250)
        try writeRun(folder, method: "Student", groups: nil, seed: 2023, recall: 0.1300, unpopular: 0.0240)
        try writeRun(folder, method: "UnKD", groups: 4, seed: 2022, recall: 0.1300, unpopular: 0.0200)
        try writeRun(folder, method: "UnKD", groups: 4, seed: 2023, recall: 0.1378, unpopular: 0.0180)
        let section = CrossCheckSection(folder: root, results: ResultStore(folder: root.appendingPathComponent("none"))).section()

        XCTAssertTrue(section.text.contains("| Student             | 0     |"), section.text)
        XCTAssertTrue(section.text.contains("no package run of this setting"), section.text)
        // Means: Student 0.1275 / 0.0245, UnKD 0.1339 / 0.0190: +5.0% and -22.4%. The paper: 0.1547 over 0.1435
        // (+7.8%) overall and 0.0311 over 0.0250 (+24.4%) unpopular.
        let line = "UnKD K=4 (weight 1), 2 seeds: overall Recall@10 +5.0% (p "
        XCTAssertTrue(section.text.contains(line), section.text)
        XCTAssertTrue(section.text.contains("[+7.8%], unpopular Recall@10 -22.4% (p "), section.text)
        XCTAssertTrue(section.text.contains("[+24.4%]."), section.text)
        XCTAssertTrue(section.verdicts.contains { $0.hasPrefix("The authors' own code on the official split, against its Student: " + line) },
                      "\(section.verdicts)")
    }

    /// A LightGCN student is its own setting, compared with the authors' LightGCN Student and the paper's LightGCN rows.
    func testLightGCNStudentsAreTheirOwnSettings() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crosscheck-lightgcn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("ml-1m-unkd-code")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeRun(folder, method: "Student", groups: nil, seed: 2022, recall: 0.1250, unpopular: 0.0250)
        try writeRun(folder, method: "Student", groups: nil, seed: 2022, recall: 0.1200, unpopular: 0.0100, lightGCN: true)
        try writeRun(folder, method: "UnKD", groups: 4, seed: 2022, recall: 0.1260, unpopular: 0.0150, lightGCN: true)
        let text = CrossCheckSection(folder: root, results: ResultStore(folder: root.appendingPathComponent("none"))).section().text
        XCTAssertTrue(text.contains("| Student, LightGCN "), text)
        // Against the LightGCN Student (0.1200, 0.0100), not the MF one; the paper's LightGCN rows: 0.1569 over 0.1456
        // (+7.8%), 0.0292 over 0.0228 (+28.1%).
        XCTAssertTrue(text.contains("UnKD K=4 (weight 1), LightGCN, 1 seed: overall Recall@10 +5.0% [+7.8%], "
                                    + "unpopular Recall@10 +50.0% [+28.1%]."), text)
    }

    func testNoDriverOutputSaysHowToRunIt() {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crosscheck-none-\(UUID().uuidString)")
        let section = CrossCheckSection(folder: root, results: ResultStore(folder: root)).section()
        XCTAssertTrue(section.text.contains("Not run yet"))
        XCTAssertTrue(section.verdicts.isEmpty)
    }
}
