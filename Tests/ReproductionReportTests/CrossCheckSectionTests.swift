import Foundation
import ReproductionReport
import UnKD
import XCTest

/// The section on the authors' code, from hand-made driver files and package results.
final class CrossCheckSectionTests: XCTestCase {
    /// A results folder with an export folder `ml-1m-unkd-code` inside, removed after the test.
    struct Folders {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crosscheck-section-\(UUID().uuidString)")
        var crosscheck: URL { root.appendingPathComponent("crosscheck") }
        var export: URL { crosscheck.appendingPathComponent("ml-1m-unkd-code") }
        var results: ResultStore { ResultStore(folder: root.appendingPathComponent("results")) }

        init() throws { try FileManager.default.createDirectory(at: export, withIntermediateDirectories: true) }

        func section() -> (text: String, verdicts: [String]) { CrossCheckSection(folder: crosscheck, results: results).section() }

        /// Writes one end-to-end result of the authors' code as the driver does.
        func writeRun(method: String, groups: Int? = nil, seed: Int, recall: Double, unpopular: Double,
                      student: String = "mf", teacher: String = "mf") throws {
            var settings = "\"method\": \"\(method)\", \"seed\": \(seed), \"kdWeight\": 1"
                + ", \"teacher\": {\"backbone\": \"\(teacher)\", \"dimension\": 100}"
                + (groups.map { ", \"groups\": \($0), \"sampleNum\": 30" } ?? "")
            if student != "mf" { settings += ", \"student\": {\"backbone\": \"\(student)\", \"dimension\": 10, \"layers\": 1}" }
            let json = """
            {"settings": {\(settings)}, "testAt10": {"recall": \(recall), "popularRecall": 0.2, "unpopularRecall": \(unpopular)},
             "bestEpoch": 100, "trainingSeconds": 60, "authorsCommit": "57abd1a327f6e282743c10618511f21718ef0232"}
            """
            let name = "authors-\(method)\(groups.map { "-K\($0)" } ?? "")\(student == "mf" ? "" : "-\(student)-l1")"
                + "\(teacher == student ? "" : "-from-\(teacher)")-seed\(seed).json"
            try Data(json.utf8).write(to: export.appendingPathComponent(name))
        }

        /// Stores the package's result of `run` with the given test Recall@10 (overall and unpopular).
        func storePackage(_ run: GridRun, recall: Double, unpopular: Double) throws {
            let json = """
            {"format": 2, "method": "\(run.method.rawValue)", "splitFingerprint": "", "finished": "",
             "history": {"curve": [], "bestEpoch": 1, "bestScore": 0, "epochsRun": 1, "seconds": 60, "medianEpochSeconds": 1},
             "test": {"users": 1, "overall": [{"n": 10, "recall": \(recall), "ndcg": 0.3, "precision": 0.1}],
                      "groups": [{"group": "popular", "n": 10, "recall": 0.2, "recallEligibleUsers": 0.2, "eligibleUsers": 1, "precision": 0},
                                 {"group": "unpopular", "n": 10, "recall": \(unpopular), "recallEligibleUsers": \(unpopular),
                                  "eligibleUsers": 1, "precision": 0}],
                      "exposure": [], "longTail": []},
             "spec": \(String(decoding: try JSONEncoder().encode(run.spec), as: UTF8.self))}
            """
            try results.save(JSONDecoder().decode(ExperimentResult.self, from: Data(json.utf8)))
        }
    }

    /// The package's runs at the authors' constants (UnKD: K = 4, mu 20, 30 pairs, weight 1, reversed pairs as given).
    func packageRuns(seed: UInt64, reversedPairs: ReversedPairs = .collapsed) -> (student: GridRun, unkd: GridRun) {
        var grid = PaperGrid(dataset: .movieLens)
        grid.unkd = UnKDConfiguration(groups: 4, pairsPerUser: 30, mu: 20, weight: 1, reversedPairs: reversedPairs)
        return (grid.runs([.student], .mf, seed: seed)[0], grid.runs([.unkd], .mf, seed: seed)[0])
    }

    /// The authors' UnKD is set beside the package's run that keeps reversed pairs as their code does, never beside
    /// the run of ordered pairs (another setting).
    func testUnKDIsComparedWithCollapsedReversedPairs() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        try folders.writeRun(method: "UnKD", groups: 4, seed: 2022, recall: 0.1300, unpopular: 0.0200)
        func rows() -> [[String]] {
            folders.section().text.split(separator: "\n").map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        try folders.storePackage(packageRuns(seed: 2022, reversedPairs: .ordered).unkd, recall: 0.1400, unpopular: 0.0190)
        XCTAssertTrue(rows().contains(["UnKD K=4 (weight 1)", "0", "", "", "no package run of this setting", ""]), "\(rows())")
        try folders.storePackage(packageRuns(seed: 2022).unkd, recall: 0.1310, unpopular: 0.0190)
        XCTAssertTrue(rows().contains(["UnKD K=4 (weight 1)", "1", "Recall@10", "0.1300", "0.1310", "+0.0010 (+0.8%)"]), "\(rows())")
    }

    func testStageEStatesWhatTheAuthorsCodeSaysAgainstItsOwnStudent() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        // Their UnKD: overall +4% and +6% over their Student, unpopular -20% and -25%.
        try folders.writeRun(method: "Student", seed: 2022, recall: 0.1250, unpopular: 0.0250)
        try folders.writeRun(method: "Student", seed: 2023, recall: 0.1300, unpopular: 0.0240)
        try folders.writeRun(method: "UnKD", groups: 4, seed: 2022, recall: 0.1300, unpopular: 0.0200)
        try folders.writeRun(method: "UnKD", groups: 4, seed: 2023, recall: 0.1378, unpopular: 0.0180)
        let section = folders.section()

        XCTAssertTrue(section.text.contains("no package run of this setting"), section.text)
        XCTAssertTrue(section.verdicts.contains("Against the authors' code, stage e (training end to end, `ml-1m-unkd-code`): "
                                                + "not decided: no setting has a package run to compare with yet"), "\(section.verdicts)")
        // Means: Student 0.1275 / 0.0245, UnKD 0.1339 / 0.0190: +5.0% and -22.4%. The paper: 0.1547 over 0.1435
        // (+7.8%) overall and 0.0311 over 0.0250 (+24.4%) unpopular.
        let line = "UnKD K=4 (weight 1), 2 seeds: overall Recall@10 +5.0% (p "
        XCTAssertTrue(section.text.contains(line), section.text)
        XCTAssertTrue(section.text.contains("[+7.8%], unpopular Recall@10 -22.4% (p "), section.text)
        XCTAssertTrue(section.text.contains("[+24.4%]."), section.text)
        XCTAssertTrue(section.verdicts.contains { $0.hasPrefix("The authors' own code on `ml-1m-unkd-code`, against its Student: " + line) },
                      "\(section.verdicts)")
    }

    /// Each setting is set beside the package's run of the same setting and seed; a verdict of agreement needs three
    /// seeds.
    func testStageEPairsEachRunWithThePackagesRun() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        try folders.writeRun(method: "UnKD", groups: 4, seed: 2022, recall: 0.1300, unpopular: 0.0200)
        try folders.storePackage(packageRuns(seed: 2022).unkd, recall: 0.1310, unpopular: 0.0190)
        var section = folders.section()
        let rows = section.text.split(separator: "\n").map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        XCTAssertTrue(rows.contains(["UnKD K=4 (weight 1)", "1", "Recall@10", "0.1300", "0.1310", "+0.0010 (+0.8%)"]), section.text)
        XCTAssertTrue(rows.contains(["UnKD K=4 (weight 1)", "1", "unpopular", "0.0200", "0.0190", "-0.0010 (-5.0%)"]), section.text)
        XCTAssertTrue(section.text.contains("not decided: one seed per setting so far"), section.text)

        try folders.writeRun(method: "UnKD", groups: 4, seed: 2023, recall: 0.1320, unpopular: 0.0210)
        try folders.storePackage(packageRuns(seed: 2023).unkd, recall: 0.1325, unpopular: 0.0205)
        section = folders.section()
        XCTAssertTrue(section.text.contains("Verdict: **not decided: no difference beyond the seed-to-seed noise so far, "
                                            + "but no setting has 3 seeds yet (a paired t-test on 2 has 1 degree of freedom"),
                      section.text)
        XCTAssertFalse(section.text.contains("the two codes agree end to end"), section.text)

        try folders.writeRun(method: "UnKD", groups: 4, seed: 2024, recall: 0.1310, unpopular: 0.0195)
        try folders.storePackage(packageRuns(seed: 2024).unkd, recall: 0.1318, unpopular: 0.0200)
        section = folders.section()
        XCTAssertTrue(section.text.contains("Verdict: **agrees on UnKD K=4 (weight 1): no difference between the two codes"),
                      section.text)
        XCTAssertFalse(section.text.contains("Not yet decided"), section.text)
    }

    /// An agreement covers only the settings with three seeds; the others are named as not yet decided, and the
    /// meaning of the agreement names the settings it rests on.
    func testAgreementNamesTheSettingsItRestsOn() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        for (seed, recall, unpopular) in [(2022, 0.1300, 0.0200), (2023, 0.1320, 0.0190), (2024, 0.1310, 0.0195)] {
            try folders.writeRun(method: "Student", seed: seed, recall: recall, unpopular: unpopular)
            try folders.storePackage(packageRuns(seed: UInt64(seed)).student, recall: recall + 0.0001, unpopular: unpopular)
        }
        try folders.writeRun(method: "UnKD", groups: 4, seed: 2022, recall: 0.1360, unpopular: 0.0170)
        try folders.storePackage(packageRuns(seed: 2022).unkd, recall: 0.1365, unpopular: 0.0172)
        let text = folders.section().text
        XCTAssertTrue(text.contains("Verdict: **agrees on Student: no difference between the two codes"), text)
        XCTAssertTrue(text.contains("Not yet decided, with fewer than 3 seeds: UnKD K=4 (weight 1) (1 seed).**"), text)
        XCTAssertTrue(text.contains("the two codes agree end to end on `ml-1m-unkd-code` for Student, so there the package's "
                                    + "findings"), text)
    }

    /// When the two codes agree, the section says what that means: the unpopular group's direction under each of the
    /// authors' settings, against the paper's (here UnKD lowers it where the paper reports +24.4%).
    func testAgreementSaysWhatItMeansForThePapersClaims() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        for (seed, recall, unpopular) in [(2022, 0.1300, 0.0200), (2023, 0.1320, 0.0190), (2024, 0.1310, 0.0195)] {
            try folders.writeRun(method: "Student", seed: seed, recall: recall - 0.005, unpopular: unpopular + 0.004)
            try folders.writeRun(method: "UnKD", groups: 4, seed: seed, recall: recall, unpopular: unpopular)
            let runs = packageRuns(seed: UInt64(seed))
            try folders.storePackage(runs.student, recall: recall - 0.0049, unpopular: unpopular + 0.0041)
            try folders.storePackage(runs.unkd, recall: recall + 0.0001, unpopular: unpopular + 0.0001)
        }
        let text = folders.section().text
        XCTAssertTrue(text.contains("Verdict: **agrees on Student, UnKD K=4 (weight 1):"), text)
        XCTAssertTrue(text.contains("the two codes agree end to end on `ml-1m-unkd-code` for Student, UnKD K=4 (weight 1)"), text)
        XCTAssertTrue(text.contains("moves against the paper's report under UnKD K=4 (weight 1)."), text)
    }

    /// A difference significant only before Holm's correction leaves the agreement standing and is named beside it.
    /// Overall differences +0.0010, +0.0013, +0.0007: t = 0.0010 / (0.0003 / sqrt 3) = 5.77 on 2 degrees of freedom,
    /// p = 0.029, above Holm's 0.05 / 2 for the smaller of two p values (the popular recalls are equal: no test).
    func testADifferenceSignificantBeforeTheCorrectionOnlyIsNamed() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        for (seed, recall, gap, unpopularGap) in [(2022, 0.1300, 0.0010, 0.0001), (2023, 0.1320, 0.0013, -0.0002),
                                                  (2024, 0.1310, 0.0007, 0.0001)] {
            try folders.writeRun(method: "Student", seed: seed, recall: recall, unpopular: 0.0200)
            try folders.storePackage(packageRuns(seed: UInt64(seed)).student, recall: recall + gap, unpopular: 0.0200 + unpopularGap)
        }
        let text = folders.section().text
        XCTAssertTrue(text.contains("Verdict: **agrees on Student:"), text)
        XCTAssertTrue(text.contains("Holm's correction for the 2 comparisons). Significant at 5% before that correction only: "
                                    + "Student, Recall@10 (p 0.029); more seeds will tell."), text)
    }

    /// A gap far beyond the seed-to-seed noise is a disagreement, named with its setting and measure.
    func testAConsistentGapIsADisagreement() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        for (seed, authors, package) in [(2022, 0.1300, 0.1400), (2023, 0.1310, 0.1412), (2024, 0.1320, 0.1419)] {
            try folders.writeRun(method: "UnKD", groups: 4, seed: seed, recall: authors, unpopular: 0.0200)
            try folders.storePackage(packageRuns(seed: UInt64(seed)).unkd, recall: package, unpopular: 0.0200)
        }
        XCTAssertTrue(folders.section().verdicts.contains("Against the authors' code, stage e (training end to end, `ml-1m-unkd-code`): "
                                                          + "differs in UnKD K=4 (weight 1), Recall@10 (paired t-test, significant "
                                                          + "at 5% after Holm's correction for the one comparison)."))
    }

    /// A LightGCN student is its own setting, compared with the authors' LightGCN Student; the paper's LightGCN rows
    /// stand beside it only when its teacher is a LightGCN too, and a student of an MF teacher has no package run.
    func testLightGCNStudentsAreTheirOwnSettings() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        try folders.writeRun(method: "Student", seed: 2022, recall: 0.1250, unpopular: 0.0250)
        try folders.writeRun(method: "Student", seed: 2022, recall: 0.1200, unpopular: 0.0100, student: "lightgcn", teacher: "lightgcn")
        try folders.writeRun(method: "UnKD", groups: 4, seed: 2022, recall: 0.1260, unpopular: 0.0150, student: "lightgcn",
                             teacher: "lightgcn")
        try folders.writeRun(method: "RD", seed: 2022, recall: 0.1236, unpopular: 0.0090, student: "lightgcn", teacher: "mf")
        let text = folders.section().text
        XCTAssertTrue(text.contains("| Student, LightGCN 1 layer "), text)
        // Against the LightGCN Student (0.1200, 0.0100), not the MF one; the paper's LightGCN rows: 0.1569 over 0.1456
        // (+7.8%), 0.0292 over 0.0228 (+28.1%).
        XCTAssertTrue(text.contains("UnKD K=4 (weight 1), LightGCN 1 layer, 1 seed: overall Recall@10 +5.0% [+7.8%], "
                                    + "unpopular Recall@10 +50.0% [+28.1%]."), text)
        XCTAssertTrue(text.contains("RD (weight 1), LightGCN 1 layer, from an MF teacher, 1 seed: overall Recall@10 +3.0%, "
                                    + "unpopular Recall@10 -10.0%."), text)
        XCTAssertTrue(text.contains("| RD (weight 1), LightGCN 1 layer, from an MF teacher | 0 "), text)
    }

    /// Each Student is set beside the paper's Student of its backbone, with each code's distance from it. Paper,
    /// MovieLens LightGCN: 0.1456 overall, 0.0228 unpopular; 0.1200 / 0.1456 = -17.6%, 0.1250 / 0.1456 = -14.1%,
    /// 0.0100 / 0.0228 = -56.1%, 0.0110 / 0.0228 = -51.8%.
    func testStudentsStandBesideThePapersStudent() throws {
        let folders = try Folders()
        defer { try? FileManager.default.removeItem(at: folders.root) }
        try folders.writeRun(method: "Student", seed: 2022, recall: 0.1200, unpopular: 0.0100, student: "lightgcn", teacher: "lightgcn")
        try folders.storePackage(PaperGrid(dataset: .movieLens).runs([.student], .lightGCN, seed: 2022)[0],
                                 recall: 0.1250, unpopular: 0.0110)
        let section = folders.section()
        let line = "Student, LightGCN 1 layer, 1 seed: overall Recall@10 0.1200 (authors' code, -17.6%) and 0.1250 "
            + "(package, -14.1%) [0.1456]; unpopular Recall@10 0.0100 (authors' code, -56.1%) and 0.0110 (package, -51.8%) "
            + "[0.0228]."
        XCTAssertTrue(section.text.contains("- " + line), section.text)
        XCTAssertTrue(section.verdicts.contains("The Students on `ml-1m-unkd-code` against the paper's: " + line),
                      "\(section.verdicts)")

        // A Student the package has not run is not set beside the paper.
        try folders.writeRun(method: "Student", seed: 2022, recall: 0.1250, unpopular: 0.0250)
        XCTAssertFalse(folders.section().text.contains("- Student, 1 seed:"))
    }

    func testExportFoldersNameTheirDatasetAndProtocol() {
        XCTAssertTrue(CrossCheckSection.exportCell("ml-1m-unkd-code")! == (.movieLens, .unkdCode))
        XCTAssertTrue(CrossCheckSection.exportCell("citeulike-paper-text")! == (.citeULike, .paperText))
        XCTAssertNil(CrossCheckSection.exportCell("ml-1m"))
        XCTAssertNil(CrossCheckSection.exportCell("-unkd-code"))
    }

    func testNoDriverOutputSaysHowToRunIt() {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("crosscheck-none-\(UUID().uuidString)")
        let section = CrossCheckSection(folder: root, results: ResultStore(folder: root)).section()
        XCTAssertTrue(section.text.contains("Not run yet"))
        XCTAssertTrue(section.verdicts.isEmpty)
    }
}
