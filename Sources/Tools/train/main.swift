/*:
 # Training a recommender: the engine behind every table

 Knowledge distillation starts from two ordinary recommenders trained on the data alone: a large *teacher*
 (embedding dimension 100) and a small *student* (dimension 10) that the distillation methods later try to improve.
 This tool trains one such model and reports everything the evaluation measures. It is also the tool for
 finding the learning rate and L2 weight of each dataset (`--tune`).

 ## The two backbones

 *BPR-MF* gives every user and every item an embedding and scores a pair by their inner product. *LightGCN* first
 smooths the embeddings over the user-item graph: each layer replaces a node's embedding by a degree-normalised sum
 of its neighbours', and the final embedding is the mean of all layers. Both are trained with the BPR loss: for each
 observed pair (u, i+) and a randomly drawn unobserved item i-, the model is pushed to score i+ above i-, through
 -log sigmoid(s(u, i+) - s(u, i-)). An L2 penalty on the embeddings of the batch's rows keeps them small.

 ## The debiased teacher (PD)

 For Table 4 the paper also trains a teacher with popularity deconfounding: while training, an item's score is
 multiplied by a weight that grows with the item's popularity, so popularity can explain part of what was observed;
 at ranking time the weight is dropped, leaving a score that is meant to be free of popularity. `--pd-alpha` sets
 the exponent of that weight (the official code's default 1.0 is far outside PD's own recommended 0.02-0.25).

 ## Optimisation and early stopping

 Adam updates the whole embedding tables every step, as PyTorch's dense Adam does, even rows without a gradient in
 that step (their momentum still moves them). Every five epochs the model is evaluated on the validation users by
 NDCG@20 over the full item ranking; training stops once 20 evaluations in a row fail to improve, and the best
 parameters are kept. A trained model is saved with its configuration, seed and a fingerprint of the data split, so
 asking for the same model again loads it.

 A LightGCN teacher takes an hour or two on two cores, long enough to be interrupted. So at a validation epoch, at
 most every two minutes, the fit writes its whole state beside the model file: parameters, the best ones so far,
 Adam's moments, the negative sampler's generator and the early-stopping counters. Running the same command again
 resumes from there, and because nothing else carries over from one epoch to the next, the resumed fit ends with the
 very model an uninterrupted one would have given.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Trains (or loads) a teacher or student and prints its test metrics.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Dataset name (ml-1m, citeulike, apps, synthetic, synthetic-ml1m, synthetic-gowalla, or a --data name).")
    var dataset: DatasetName = .synthetic

    @Option(help: "Backbone: mf or lightgcn.")
    var backbone: Backbone = .mf

    @Option(parsing: .unconditional, help: "Embedding dimension (teacher 100, student 10).")
    var dimension = 100

    @Option(parsing: .unconditional, help: "LightGCN layers.")
    var layers = 1

    @Option(name: .customLong("pd-alpha"), parsing: .unconditional, help: "Train a PD (popularity-deconfounded) model with this exponent.")
    var pdAlpha: Double?

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate (default: the tuned value for this dataset, else 1e-3).")
    var learningRate: Double?

    @Option(parsing: .unconditional, help: "L2 weight (default: the tuned value for this dataset, else 1e-3).")
    var decay: Double?

    @Flag(help: "Search the paper's grid {1e-2, 1e-3, 1e-4}^2 of learning rate and L2 weight on validation.")
    var tune = false

    @Option(name: .customLong("tune-lr"), parsing: .unconditionalSingleValue, help: "A learning rate searched by --tune (repeat the option for each).")
    var tuneLearningRates: [Double] = [1e-2, 1e-3, 1e-4]

    @Option(name: .customLong("tune-decay"), parsing: .unconditionalSingleValue, help: "An L2 weight searched by --tune (repeat the option for each).")
    var tuneDecays: [Double] = [1e-2, 1e-3, 1e-4]

    @Option(parsing: .unconditional, help: "Seed of initialisation and sampling.")
    var seed: UInt64 = 2022

    @Option(name: .customLong("split-seed"), parsing: .unconditional, help: "Seed of the train/validation/test split.")
    var splitSeed: UInt64 = 2022

    @Option(name: .customLong("protocol"), help: "Split protocol: unkd-code or paper-text.")
    var splitProtocol: SplitProtocol = .unkdCode

    @Option(name: .customLong("max-epochs"), parsing: .unconditional, help: "Upper bound on epochs.")
    var maxEpochs = 1000

    @Option(help: "Adam variant: dense (PyTorch, default) or lazy.")
    var optimiser: AdamVariant = .dense

    @Option(name: .customLong("models-dir"), help: "Where trained models are kept (default: <data dir>/models).")
    var modelsDirectory: String?

    @Option(help: "Output format: markdown or csv.")
    var format: TableFormat = .markdown

    func validate() throws {
        try OptionCheck.integer(dimension, "--dimension", in: 1...4096)
        try OptionCheck.integer(layers, "--layers", in: 0...8)
        try OptionCheck.integer(maxEpochs, "--max-epochs", in: 1...OptionCheck.maximumEpochs)
        if let learningRate { try OptionCheck.positive(learningRate, "--lr") }
        if let decay { try OptionCheck.nonNegative(decay, "--decay") }
        if let pdAlpha { try OptionCheck.nonNegative(pdAlpha, "--pd-alpha") }
        for value in tuneLearningRates { try OptionCheck.positive(value, "--tune-lr") }
        for value in tuneDecays { try OptionCheck.nonNegative(value, "--tune-decay") }
        try OptionCheck.datasets([dataset], data: dataOptions)
    }

    func run() throws {
        let workspace = Workspace(locator: try dataOptions.locator(),
                                  modelFolder: modelsDirectory.map { URL(fileURLWithPath: $0) })
        let model = ModelConfiguration(backbone: backbone, dimension: dimension, layers: layers,
                                       objective: pdAlpha.map { .popularityDeconfounded(alpha: $0) } ?? .bpr)
        var training = TrainingDefaults.configuration(dataset: dataset, model: model)
        training.learningRate = learningRate ?? training.learningRate
        training.decay = decay ?? training.decay
        training.maxEpochs = maxEpochs
        training.optimiser = optimiser
        let spec = ModelSpec(dataset: dataset, splitProtocol: splitProtocol, splitSeed: splitSeed,
                             model: model, training: training, seed: seed)
        let trained: TrainedModel
        if tune {
            let (best, scores) = try workspace.tune(spec, learningRates: tuneLearningRates, decays: tuneDecays)
            var grid = TextTable(header: ["learning rate", "decay", "validation NDCG@20"])
            for s in scores { grid.append(["\(s.learningRate)", "\(s.decay)", String(format: "%.4f", s.ndcg)]) }
            print("Grid search on validation:\n\n" + grid.rendered(format))
            trained = best
        } else {
            trained = try workspace.trainedModel(spec)
        }
/*:
 ## What is reported

 The test users' Recall, NDCG and Precision at 10 and 20; Recall@N of the popular and unpopular halves of the
 catalogue (by training popularity, always two groups), both with the official normalisation over all test users and
 over the users that have held-out items in the group; the share of popular and unpopular items in the top-N lists
 and in the held-out data (Figure 1's numbers); and long-tail measures of the lists: mean popularity of what is
 recommended, share of unpopular items (APLT), catalogue coverage and the Gini index of exposure.
*/
        let report = try workspace.evaluate(trained)
        let h = trained.history
        print("\(dataset) \(model.label): lr \(trained.spec.training.learningRate), decay \(trained.spec.training.decay), seed \(seed); "
            + "best epoch \(h.bestEpoch) of \(h.epochsRun), validation NDCG@20 \(String(format: "%.4f", h.bestScore))"
            + (trained.loaded ? " (loaded)" : String(format: ", %.0f s, %.3f s per epoch", h.seconds, h.medianEpochSeconds)) + "\n")
        print(Self.table(report).rendered(format))
    }

    /// The report as one table: a row per measure, a column per cut-off.
    static func table(_ report: EvaluationReport) -> TextTable {
        let cutoffs = report.overall.map(\.n)
        var table = TextTable(header: ["test measure (\(report.users) users)"] + cutoffs.map { "@\($0)" })
        func row(_ name: String, _ value: (Int) -> Double?) {
            table.append([name] + cutoffs.map { n in value(n).map { String(format: "%.4f", $0) } ?? "" })
        }
        row("Recall") { report.at($0)?.recall }
        row("NDCG") { report.at($0)?.ndcg }
        row("Precision") { report.at($0)?.precision }
        for group in EvaluationGroup.allCases {
            row("Recall, \(group.rawValue) group") { report.group(group, at: $0)?.recall }
            row("Recall, \(group.rawValue) group, eligible users") { report.group(group, at: $0)?.recallEligibleUsers }
        }
        row("share of popular items in the lists") { n in report.exposure.first { $0.n == n }?.recommended[0] }
        row("share of popular items in the held-out data") { n in report.exposure.first { $0.n == n }?.heldOut[0] }
        row("mean popularity of recommended items") { n in report.longTail.first { $0.n == n }?.averagePopularity }
        row("APLT (unpopular share of the lists)") { n in report.longTail.first { $0.n == n }?.tailShare }
        row("item coverage") { n in report.longTail.first { $0.n == n }?.coverage }
        row("Gini index of exposure") { n in report.longTail.first { $0.n == n }?.gini }
        return table
    }
}


OpenBLASCore.preferNativeKernels()
Train.main()
