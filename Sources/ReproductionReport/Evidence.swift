import Foundation
import PaperFigures
import UnKD

/// The paper's claims as tests on the stored runs, and the inventory of what ran and what is still to run.
///
/// Each claim is turned into a test on the seed means of the runs that exist, cell by cell (a cell is a dataset and a
/// backbone); where two methods are compared, both means are taken over the seeds both have run, so that a method with
/// fewer seeds so far is never set against other seeds. A claim is *reproduced* when it holds in every cell the paper
/// reports and all of that cell's runs exist, *partly reproduced* when it holds in some cells, or only among the methods
/// or cells that ran so far, *not reproduced* when it holds in none, and *not run* when no cell has the runs it needs
/// (`conclude` states the rule). A dataset with no runs at all is named and left out; a cell of a dataset that did run
/// but without the runs the claim needs keeps the verdict at partly and is listed as still to run. Where seeds allow, a
/// paired t-test over seeds says whether a difference is larger than the seed-to-seed noise.
public struct Evidence {
    /// The paper's grid: every table's rows and Figure 5's sweep, over the seeds that finished.
    public let grid: GridResults
    /// The baselines' tuning runs (seed 2022, MF), each in the cell "<method> weight <w>".
    public let weights: GridResults
    /// The datasets of the report, in the order of the paper's tables.
    public let datasets: [DatasetName]

    /// Evidence from the paper's grid, the baselines' tuning runs (empty when none) and the report's datasets.
    public init(grid: GridResults, weights: GridResults = GridResults(), datasets: [DatasetName]) {
        self.grid = grid
        self.weights = weights
        self.datasets = datasets
    }

    /// The existing distillation methods of Table 1.
    public static let table1Baselines: [PaperMethod] = [.rd, .cd, .deRRD, .htd]

    /// How far a claim holds, in the words the report prints.
    public enum Verdict: String, Sendable {
        /// The claim holds in every cell the paper reports, and every run it needs exists.
        case reproduced
        /// It holds in some cells, or only among the methods or cells that ran so far.
        case partly = "partly reproduced"
        /// It holds in no cell that ran.
        case not = "not reproduced"
        /// No cell has the runs it needs.
        case notRun = "not run"
    }

    /// One of the paper's claims with its verdict and the evidence lines behind it.
    public struct Claim: Sendable {
        /// The claim, as the report states it.
        public var statement: String
        /// How far the stored runs support it.
        public var verdict: Verdict
        /// The numbers behind the verdict, one sentence each.
        public var lines: [String]
    }

    /// The (dataset, backbone) cells that have any result, in order.
    var cells: [(DatasetName, Backbone)] {
        datasets.flatMap { d in Backbone.allCases.map { (d, $0) } }.filter { !grid.results($0.0, $0.1, .row(.student)).isEmpty }
    }

    func name(_ dataset: DatasetName, _ backbone: Backbone) -> String {
        "\(DatasetCatalog.descriptor(dataset).displayName) \(backbone == .mf ? "MF" : "LightGCN")"
    }

    func recall(_ d: DatasetName, _ b: Backbone, _ method: GridCell, group: EvaluationGroup? = nil) -> Double? {
        Statistics.mean(grid.recallAt10(d, b, method, group: group))
    }

    func ndcg(_ d: DatasetName, _ b: Backbone, _ method: GridCell) -> Double? {
        Statistics.mean(grid.results(d, b, method).compactMap { $0.test.at(10)?.ndcg })
    }

    /// The mean Recall@10 of two cells over the seeds both have run (`SeedPairs`): every comparison and relative change
    /// between two cells is taken on these, so it never compares different seeds.
    func pairedRecall(_ d: DatasetName, _ b: Backbone, _ method: GridCell, _ other: GridCell,
                      group: EvaluationGroup? = nil) -> (method: Double, other: Double)? {
        grid.pairedRecallAt10(d, b, method, other, group: group).means
    }

    /// The mean NDCG@10 of two cells over the seeds both have run.
    func pairedNDCG(_ d: DatasetName, _ b: Backbone, _ method: GridCell, _ other: GridCell) -> (method: Double, other: Double)? {
        grid.paired(d, b, method, other) { $0.test.at(10)?.ndcg }.means
    }

    /// " (p 0.012 over 3 seeds)" from a paired t-test, or "" when fewer than two seeds pair up.
    func significance(_ d: DatasetName, _ b: Backbone, _ method: GridCell, _ other: GridCell, group: EvaluationGroup? = nil) -> String {
        let paired = grid.pairedRecallAt10(d, b, method, other, group: group)
        guard let test = Statistics.pairedTTest(paired.method, paired.other) else { return "" }
        return String(format: " (p %.3f over %d seeds)", test.p, paired.method.count)
    }

    /// "1 seed", "3 seeds".
    func seedCount(_ d: DatasetName, _ b: Backbone, _ method: GridCell) -> String {
        counted(grid.results(d, b, method).count, "seed")
    }

    func percent(_ value: Double, _ base: Double) -> String { percentChangeText(value, over: base) }

    /// A claim's verdict and evidence, over the cells of `backbones` that ran: `held` of `total` support it;
    /// `complete` is false when some of the compared methods are missing in those cells, and `partial` counts cells
    /// that support it in part (a verdict of none becomes partly). A cell of `backbones` lacking any of the methods
    /// the claim `needs`, in a dataset that ran, also keeps the verdict at partly and is listed as still to run; a
    /// dataset with no runs at all is named and left out.
    func conclude(_ statement: String, held: Int, of total: Int, complete: Bool = true, partial: Int = 0,
                  lines: [String], backbones: [Backbone], needs: [PaperMethod] = [.student]) -> Claim {
        let ran = Set(cells.map(\.0))
        let missing = datasets.flatMap { d in backbones.map { (d, $0) } }
            .filter { cell in needs.contains { grid.results(cell.0, cell.1, .row($0)).isEmpty } }
        let toRun = missing.filter { ran.contains($0.0) }, datasetNotRun = missing.filter { !ran.contains($0.0) }
        func names(_ cells: [(DatasetName, Backbone)]) -> String { cells.map { name($0.0, $0.1) }.joined(separator: ", ") }

        let verdict: Verdict
        if total == 0 { verdict = .notRun }
        else if held == total { verdict = complete && toRun.isEmpty ? .reproduced : .partly }
        else { verdict = held > 0 || partial > 0 ? .partly : .not }
        return Claim(statement: statement, verdict: verdict, lines: lines
            + (toRun.isEmpty ? [] : ["Still to run, so the verdict is at most partly reproduced: \(names(toRun))."])
            + (datasetNotRun.isEmpty ? [] : ["No runs of the dataset, so not counted: \(names(datasetNotRun))."]))
    }

}
