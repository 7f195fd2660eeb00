import ReproductionReport
import UnKD
import XCTest

final class ReportRunsTests: XCTestCase {
    /// One dataset and seed: ten rows on each backbone (Table 3's seven and the three PD rows), and UnKD at K = 1...10.
    func testTheGridHasEveryRowOnBothBackbonesAndTheKSweep() {
        let runs = ReportRuns.grid([.movieLens], seeds: [2022])
        XCTAssertEqual(runs.count, 2 * 10 + 10)
        XCTAssertEqual(Set(runs.filter { $0.backbone == .lightGCN }.map(\.cell)),
                       Set((PaperGrid.table3Methods + [.pdTeacher, .pdCD, .pdHTD]).map { GridCell.row($0) }))
        XCTAssertEqual(runs.filter { $0.spec.distillation != nil && $0.cell != .row($0.method) }.map(\.cell),
                       (1...10).map { GridCell.unkd(groups: $0) })
        XCTAssertEqual(ReportRuns.grid([.movieLens, .citeULike], seeds: [2022, 2023]).count, 2 * 2 * 30)
    }

    func testTuningRunsAreTheBaselinesSettingsInTheirOwnCells() {
        let grid = PaperGrid(dataset: .citeULike)
        let runs = ReportRuns.tuning([.citeULike])
        XCTAssertEqual(runs.count, Evidence.table1Baselines.map { grid.tuningVariants(for: $0).count }.reduce(0, +))
        XCTAssertTrue(runs.allSatisfy { $0.backbone == .mf && $0.spec.seed == ReportRuns.firstSeed })
        let (setting, variant) = grid.tuningVariants(for: .rd)[0]
        XCTAssertTrue(runs.contains { $0.cell == .tuning(setting, of: .rd) && $0.spec == variant.runs([.rd], .mf, seed: 2022)[0].spec })
    }

    func testPaperTextRunsAreTable3sRowsUnderThatProtocol() {
        let runs = ReportRuns.paperText([.movieLens])
        XCTAssertEqual(runs.count, 2 * PaperGrid.table3Methods.count)
        XCTAssertTrue(runs.allSatisfy { $0.spec.splitProtocol == .paperText && $0.spec.seed == 2022 })
    }
}
