/*:
 # Table 3: does UnKD beat the other distillation methods?

 The paper's main table compares, on three datasets and two backbones, a student distilled with each method against
 the student trained on the data alone and against the teacher. All models are evaluated on the same test users by
 Recall@10 and NDCG@10, and the paper's claim is that UnKD is best everywhere.

 ## What makes the comparison fair

 Every method gets the same data split, the same teacher, the same student architecture and training settings, the
 same early stopping on validation NDCG@20, and the same seeds. We repeat every cell with several seeds (a seed fixes
 the initialisation of teacher and student and every sampling step; the data split stays fixed) and report the mean
 with a 95% confidence interval, and for Recall@10 a paired t-test over the seeds against the Student and against
 UnKD: the question is not whether one number is larger, but whether the difference survives the seed-to-seed noise.

 Each run's result is a small JSON file in `results/`, named by a hash of the exact experiment, so rerunning the
 table reuses finished runs and an interrupted grid resumes where it stopped. `--list-commands` prints the missing
 runs as independent shell commands, for a cluster's scheduler to spread over machines.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Table3: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table3", abstract: "Table 3: Recall@10 and NDCG@10 of every method, over seeds, beside the paper's.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Datasets (comma-separated).")
    var dataset = "ml-1m,apps,citeulike"

    @Option(help: "Backbones (comma-separated): mf, lightgcn.")
    var backbone = "mf,lightgcn"

    @Option(help: "Number of seeds per cell.")
    var seeds = 5

    @Option(help: "Upper bound on epochs of every model.")
    var epochs = 1000

    @Flag(help: "A smoke run in seconds: synthetic data, 2 seeds, at most 30 epochs; output marked synthetic.")
    var quick = false

    @Flag(help: "Use only results already stored; leave out the runs that are missing instead of training them.")
    var cached = false

    @Flag(name: .customLong("list-commands"), help: "Print the runs still missing as one shell command per line, and stop.")
    var listCommands = false

    @Option(name: .customLong("results-dir"), help: "Where run results are kept.")
    var resultsDirectory = "results"

    @Option(name: .customLong("models-dir"), help: "Where trained models are kept (default: <data dir>/models).")
    var modelsDirectory: String?

    @Option(help: "Output folder for the table's CSV.")
    var out = "figures"

    @Option(help: "Output format on the terminal: markdown or csv.")
    var format: TableFormat = .markdown

    func run() throws {
        let datasets = quick ? ["synthetic"] : dataset.split(separator: ",").map(String.init)
        let backbones = try backbone.split(separator: ",").map { name -> Backbone in
            guard let b = Backbone(rawValue: String(name)) else { throw ValidationError("unknown backbone '\(name)'") }
            return b
        }
        let seedList = (0..<(quick ? 2 : seeds)).map { UInt64(2022 + $0) }
        let maxEpochs = quick ? min(epochs, 30) : epochs
        let workspace = Workspace(locator: try dataOptions.locator(), modelFolder: modelsDirectory.map { URL(fileURLWithPath: $0) })
        let results = ResultStore(folder: URL(fileURLWithPath: resultsDirectory))

        // The grid: every dataset, backbone, seed and method.
        var runs: [GridRun] = []
        for name in datasets {
            let grid = PaperGrid(dataset: name, maxEpochs: maxEpochs)
            for b in backbones { for seed in seedList { runs += grid.runs(PaperGrid.table3Methods, b, seed: seed) } }
        }
        if listCommands {
            for run in runs where results.load(method: run.method, spec: run.spec) == nil {
                print(try run.command(data: dataOptions.data, resultsDirectory: resultsDirectory))
            }
            return
        }
/*:
 ## Running the grid

 Runs go in order; a dataset that cannot be obtained is skipped with instructions. Teachers are trained once per
 dataset, backbone and seed and shared by every student of that seed.
*/
        let collected = try workspace.run(runs, results: results, trainMissing: !cached)
/*:
 ## The table

 One row per dataset and method; per backbone the mean Recall@10 and NDCG@10 with their 95% intervals and the
 paper's value in brackets, and the p-values of paired t-tests of Recall@10 against the Student and against UnKD.
*/
        var table = TextTable(header: ["dataset", "method"] + backbones.flatMap { b in
            ["\(b.rawValue) Recall@10", "\(b.rawValue) NDCG@10", "\(b.rawValue) p vs Student", "\(b.rawValue) p vs UnKD"]
        })
        for name in datasets where collected.hasResults(name) {
            for method in PaperGrid.table3Methods {
                var row = [DatasetCatalog.descriptor(name).displayName, method]
                for b in backbones {
                    let cell = collected.results(name, b, method)
                    let recall = SeedSummary(cell.map { $0.test.at(10)!.recall }), ndcg = SeedSummary(cell.map { $0.test.at(10)!.ndcg })
                    let paper = PaperValues.table3[name]?[b]?[method]
                    row.append(Self.cell(recall, paper?.recall, seeds: seedList.count))
                    row.append(Self.cell(ndcg, paper?.ndcg, seeds: seedList.count))
                    for reference in ["Student", "UnKD"] {
                        let paired = collected.pairedRecallAt10(name, b, method, reference)
                        let p = reference == method ? nil : Statistics.pairedTTest(paired.method, paired.other)?.p
                        row.append(p.map { String(format: "%.3f", $0) } ?? "-")
                    }
                }
                table.append(row)
            }
        }
        if format == .markdown {
            print("Table 3 (\(seedList.count) seeds, mean ± 95% CI; paper in brackets)\(quick ? ", synthetic data" : "")\n")
        }
        print(table.rendered(format), terminator: "")
        let output = FigureOutput(folder: URL(fileURLWithPath: out), formats: .png, synthetic: quick)
        Progress.say("wrote \(try output.writeCSV(table, name: "table3").path)")
    }

    /// "mean ± CI (paper)", with the number of seeds when fewer than asked finished.
    static func cell(_ summary: SeedSummary, _ paper: Double?, seeds: Int) -> String {
        guard !summary.values.isEmpty else { return "not run" }
        return String(format: "%.4f ± %.4f", summary.mean, summary.halfWidth) + (paper.map { String(format: " (%.4f)", $0) } ?? "")
            + (summary.values.count < seeds ? " [\(summary.values.count) seeds]" : "")
    }
}

Table3.main()
