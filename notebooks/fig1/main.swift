/*:
 # Figure 1: the teacher's lists lean towards popular items

 The paper's argument starts from an observation: an ordinary matrix-factorisation model, trained on the data,
 recommends popular items far more often than users actually interact with them. If such a model is the teacher,
 its soft labels carry that tilt into the student.

 This notebook measures it. Items are divided into a *popular* and an *unpopular* group of equal total training
 popularity (so the popular group is the small head of the catalogue, about an eighth of the items on MovieLens).
 For the test users we count which group the items of the MF teacher's top-10 lists fall into, and compare with the
 same shares among the users' held-out test interactions, which is what an unbiased recommender would reproduce.
*/
import ArgumentParser
import Foundation
import PaperFigures
import Plotting
import UnKD

struct Fig1: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fig1",
        abstract: "Figure 1: popular/unpopular shares of the MF teacher's top-10 lists against the test data.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Datasets (comma-separated). Default: ml-1m,apps,citeulike; those not available are skipped.")
    var dataset = GridRunOptions.allDatasets

    @Flag(help: "Use the small synthetic dataset instead (seconds); files are marked synthetic.")
    var quick = false

    @Option(help: "Output formats: png, pdf or both.")
    var format: FigureFormats = .both

    @Option(help: "Output folder.")
    var out = "figures"

    @Option(parsing: .unconditional, help: "Seed of the teacher.")
    var seed: UInt64 = 2022

    @Option(name: .customLong("models-dir"), help: "Where trained models are kept (default: <data dir>/models).")
    var modelsDirectory: String?

    /// The datasets to draw (the synthetic one with `--quick`).
    var names: [DatasetName] { quick ? [.synthetic] : DatasetName.list(dataset) }

    func validate() throws { try OptionCheck.datasets(names, data: dataOptions) }

/*:
 ## The teacher

 The paper does not say which MF produced Figure 1; the natural reading is the 100-dimensional teacher that the
 distillation experiments use, trained with early stopping on validation NDCG@20 and the learning rate and L2 weight
 tuned for the dataset. The workspace trains it once and keeps it, so the tables reuse the same model.
*/
    func run() throws {
        let workspace = Workspace(locator: try dataOptions.locator(), modelFolder: modelsDirectory.map { URL(fileURLWithPath: $0) })
        let output = FigureOutput(folder: URL(fileURLWithPath: out), formats: format, synthetic: quick)
        var csv = TextTable(header: ["dataset", "group", "share of top-10 lists", "share of test interactions",
                                     "teacher Recall@10", "teacher NDCG@10"])
        var records: [Record] = []
        var panels: [Panel] = []
        for name in names {
            let teacher = ModelConfiguration.teacher(.mf)
            var training = TrainingDefaults.configuration(dataset: name, model: teacher)
            if quick { training.maxEpochs = 100 }
            let trained: TrainedModel
            do {
                trained = try workspace.trainedModel(ModelSpec(dataset: name, model: teacher, training: training, seed: seed))
            } catch let error as UnKDError {
                Progress.say("\(name): skipped (\(error))")
                continue
            }
            let report = try workspace.evaluate(trained)
/*:
 ## The shares

 A share counts only items that belong to a group: items never seen in training have no popularity group and are
 left out of both the lists' and the test data's denominators, as in the official code. (The official script takes
 each user's first 100 held-out items for the test shares; we take all of them, which changes nothing for users with
 fewer than 100.)
*/
            guard let shares = report.exposure.first(where: { $0.n == 10 }), let at10 = report.at(10) else { continue }
            let display = DatasetCatalog.descriptor(name).displayName
            for (g, group) in EvaluationGroup.allCases.enumerated() {
                csv.append([name.rawValue, group.rawValue, String(format: "%.4f", shares.recommended[g]), String(format: "%.4f", shares.heldOut[g]),
                            String(format: "%.4f", at10.recall), String(format: "%.4f", at10.ndcg)])
            }
            let split = try workspace.split(name)
            records.append(Record(dataset: name, spec: trained.spec, splitFingerprint: split.fingerprint,
                                  bestEpoch: trained.history.bestEpoch, exposure: shares, teacherAt10: at10))
            panels.append(Panel(
                title: display, yLabel: "share of items", yFormat: .percent(decimals: 0), yLimits: 0...1,
                chart: .groupedBars(categories: ["Popular", "Unpopular"], series: [
                    BarSeries(name: "MF teacher top-10", values: shares.recommended),
                    BarSeries(name: "Test data", values: shares.heldOut),
                ]),
                valueLabels: true, valueFormat: .percent(decimals: 0)))
        }
        guard !records.isEmpty else {
            throw UnKDError.invalidArgument("no dataset was available; pass --data NAME=PATH, or --quick for synthetic data")
        }
        print(csv.rendered(.markdown))
        var figure = Figure(columns: panels.count, panelSize: (240, 220),
                            title: output.title("Figure 1: popular and unpopular items in MF top-10 lists"),
                            seriesColours: SeriesColours.fixed)
        for panel in panels { figure.add(panel) }
        let name = GridRunOptions.fileName("fig1", datasets: names, quick: quick)
        let files = try output.write(figure, name: name) + [try output.writeCSV(csv, name: name), try output.writeRecord(records, name: name)]
        Progress.say("wrote " + files.map(\.path).joined(separator: ", "))
    }

    /// What produced each panel, saved beside the figure.
    struct Record: Codable {
        var dataset: DatasetName
        var spec: ModelSpec
        var splitFingerprint: String
        var bestEpoch: Int
        var exposure: ExposureShares
        var teacherAt10: CutoffMetrics
    }
}

OpenBLASCore.preferNativeKernels()
Fig1.main()
