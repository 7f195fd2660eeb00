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

    @OptionGroup var options: GridOptions

    @Option(help: "Backbones (comma-separated): mf, lightgcn.")
    var backbone = "mf,lightgcn"

    func run() throws {
        let backbones = try GridOptions.backbones(backbone)
/*:
 ## Running the grid

 Runs go in order. A run whose result is stored is read; a missing one is trained, unless `--cached`. A dataset
 that cannot be obtained is reported once with instructions, and its stored results are still shown. Teachers are
 trained once per dataset, backbone and seed and shared by every student of that seed.
*/
        guard let collected = try options.collect(PaperGrid.table3Methods, backbones: backbones) else { return }
/*:
 ## The table

 One row per dataset and method; per backbone the mean Recall@10 and NDCG@10 with their 95% intervals and the
 paper's value in brackets, and the p-values of paired t-tests of Recall@10 against the Student and against UnKD. A
 last row per dataset gives UnKD's gain over the best baseline, taken on the seeds both have run.
*/
        var table = TextTable(header: ["dataset", "method"] + backbones.flatMap { b in
            ["\(b.rawValue) Recall@10", "\(b.rawValue) NDCG@10", "\(b.rawValue) p vs Student", "\(b.rawValue) p vs UnKD"]
        })
        for name in options.datasets where collected.hasResults(name) {
            for method in PaperGrid.table3Methods {
                var row = [DatasetCatalog.descriptor(name).displayName, method.rawValue]
                for b in backbones {
                    let cell = collected.results(name, b, .row(method))
                    let recall = SeedSummary(cell.map { $0.test.at(10)!.recall }), ndcg = SeedSummary(cell.map { $0.test.at(10)!.ndcg })
                    let paper = PaperValues.table3[name]?[b]?[method]
                    row.append(options.cell(recall, paper: paper?.recall))
                    row.append(options.cell(ndcg, paper: paper?.ndcg))
                    for reference in [PaperMethod.student, .unkd] {
                        let paired = collected.pairedRecallAt10(name, b, .row(method), .row(reference))
                        let p = reference == method ? nil : Statistics.pairedTTest(paired.method, paired.other)?.p
                        row.append(p.map { String(format: "%.3f", $0) } ?? "-")
                    }
                }
                table.append(row)
            }
            table.append([DatasetCatalog.descriptor(name).displayName, "UnKD over the best baseline"] + backbones.flatMap { b in
                [Self.gain(name, b, collected, \.recall), Self.gain(name, b, collected, \.ndcg), "", ""]
            })
        }
        try options.publish(table, name: "table3",
                            caption: "Table 3 (\(options.seedList.count) seeds, mean ± 95% CI; paper in brackets)",
                            backbones: backbones, allBackbones: [.mf, .lightGCN])
    }
}

extension Table3 {
    /// The baselines UnKD is measured against.
    static let baselines: [PaperMethod] = [.rd, .cd, .deRRD, .htd]

    /// UnKD's relative gain over the best baseline that ran (the best by its mean over its seeds; the gain on the means
    /// over the seeds both have run, so that it never compares different seeds), and the paper's gain in brackets.
    static func gain(_ dataset: DatasetName, _ backbone: Backbone, _ collected: GridResults,
                     _ metric: KeyPath<CutoffMetrics, Double>) -> String {
        func value(_ result: ExperimentResult) -> Double? { result.test.at(10)?[keyPath: metric] }
        let ran = baselines.compactMap { name in
            Statistics.mean(collected.results(dataset, backbone, .row(name)).compactMap(value)).map { (name, $0) }
        }
        guard let best = ran.max(by: { $0.1 < $1.1 }),
              let (unkd, other) = collected.paired(dataset, backbone, .row(.unkd), .row(best.0), value: value).means else { return "-" }
        var text = "\(percentChangeText(unkd, over: other)) over \(best.0)"
        if let paper = PaperValues.table3[dataset]?[backbone] {
            let value: ((recall: Double, ndcg: Double)) -> Double = { metric == \CutoffMetrics.recall ? $0.recall : $0.ndcg }
            if let paperUnKD = paper[.unkd].map(value), let paperBest = baselines.compactMap({ paper[$0].map(value) }).max() {
                text += " (\(percentChangeText(paperUnKD, over: paperBest)))"
            }
        }
        if ran.count < baselines.count { text += " [of \(ran.count) baselines]" }
        return text
    }
}

OpenBLASCore.preferNativeKernels()
Table3.main()
