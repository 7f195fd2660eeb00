/*:
 # Benchmarks: how fast the engine trains and evaluates

 The paper's whole grid is three datasets, two backbones, eight methods and several seeds, each trained for up to a
 thousand epochs. Whether that fits on a two-core machine is decided by a handful of numbers, which this tool
 measures on a release build: the time of one training epoch for each backbone and size, and of one full validation
 pass. Each figure is the median of several runs, after a warm-up run that is not counted.

 For scale, the official PyTorch code on this machine takes 16.6 s per MF epoch (mostly Python negative sampling),
 173 s per LightGCN d=100 epoch, and 0.38 s per validation pass.
*/
import ArgumentParser
import BenchHarness
import Foundation
import PaperFigures
import UnKD

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Times training epochs and validation passes (run it on a release build).")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Dataset to time on (default: synthetic-ml1m, MovieLens-1M's shape; ml-1m with --data ml-1m=PATH).")
    var dataset: DatasetName = .syntheticMovieLens

    @Option(parsing: .unconditional, help: "Timed runs per figure (the median is reported).")
    var runs = 3

    @Flag(help: "Skip the LightGCN figures (the slowest).")
    var skipLightGCN = false

    @Option(help: "Time only the model or distillation method with this label (e.g. mf-d10, lightgcn-d100-l1, de-rrd), for profiling, or only the machine check (machine).")
    var only: String?

    @Option(help: "Backbone of the distilled student (mf or lightgcn, one layer as in the grid).")
    var student: Backbone = .mf

    @Option(help: "Output format: markdown or csv.")
    var format: TableFormat = .markdown

    /// The models whose epochs are timed, each with its target.
    static func models(lightGCN: Bool) -> [(ModelConfiguration, TimeTarget)] {
        [(ModelConfiguration(backbone: .mf, dimension: 100), .seconds(0.5)),
         (ModelConfiguration(backbone: .mf, dimension: 10), .seconds(0.12))]
            + (lightGCN ? [(ModelConfiguration(backbone: .lightGCN, dimension: 100, layers: 1), .seconds(15)),
                           (ModelConfiguration(backbone: .lightGCN, dimension: 10, layers: 1), .seconds(4))] : [])
    }

    func validate() throws {
        try OptionCheck.integer(runs, "--runs", in: 1...100)
        try OptionCheck.datasets([dataset], data: dataOptions)
        if let only {
            let labels = Self.models(lightGCN: true).map(\.0.label)
            guard only == "machine" || labels.contains(only) || DistillationMethod.names.contains(only.lowercased()) else {
                throw ValidationError("--only must be machine, a model (\(labels.joined(separator: ", "))) or a method "
                                      + "(\(DistillationMethod.names.sorted().joined(separator: ", "))); got '\(only)'")
            }
        }
    }

/*:
 ## What is timed

 An epoch is one pass over every training interaction in mini-batches of 2048, with fresh negatives, dense Adam on
 both embedding tables, and (for LightGCN) one propagation forward and one backward per step; without a distillation
 term the forward propagation computes only the rows of the step's batch, the only ones BPR reads. A validation pass
 scores every item for the 3020 validation users, removes their training items and keeps the top 20.
*/
    func run() throws {
        let data = try dataOptions.locator().load(dataset)
        let split = DataSplit.make(data, protocol: .unkdCode, seed: 2022,
                                   validationUserFraction: DatasetCatalog.descriptor(dataset).validationUserFraction)
        Progress.say("\(dataset): \(split.train.interactionCount) training interactions; \(OpenBLASCore.description)")
        var table = TextTable(header: ["work", "median seconds", "runs", "target"])
        if Parallel.workers > 1 && (only == nil || only == "machine") {
            let checkRuns = max(runs, 5)
            let (single, speedup) = TwoCoreCheck.measure(runs: checkRuns)
            table.append(["register-only arithmetic on one core (speed check of the machine)", String(format: "%.3f", single),
                          "\(checkRuns)", ""])
            table.append(["the same on two cores at once: speedup over one (2.00 = perfect)", String(format: "%.2f", speedup),
                          "\(checkRuns)", ""])
        }
        let training = TrainingConfiguration(learningRate: 1e-3, decay: 1e-3)
        var cases = Self.models(lightGCN: !skipLightGCN)
        let onlyMethod = only.map { name in DistillationMethod.names.contains(name.lowercased()) } ?? false
        if let only { cases = cases.filter { $0.0.label == only } }
        for (configuration, target) in cases {
            let model = Recommender(configuration, userCount: data.userCount, itemCount: data.itemCount, seed: 1)
            let trainer = Trainer(model: model, split: split, configuration: training, seed: 1)
            let times = Timing.measure(runs) { trainer.trainEpoch(1) }
            table.append(["\(configuration.label) epoch", String(format: "%.3f", Timing.median(times)), "\(runs)",
                          target.column(for: Timing.median(times), plainEpoch: 0)])
            Progress.say("\(configuration.label): epochs \(times.map { String(format: "%.3f", $0) })")
        }
        if only != nil && !onlyMethod {
            print(table.rendered(format), terminator: "")
            return
        }
/*:
 ## Distillation

 Each method prepares once from the teacher (UnKD ranks every user's candidates in every group; RD, CD and DE-RRD
 rank the whole catalogue) and then adds its term to every step of the student. The teacher here is an untrained MF
 of dimension 100: the cost does not depend on its quality. Epochs are timed past epoch 100, where RD's dynamic
 weights are on. The student is the grid's MF of dimension 10, or with `--student lightgcn` its one-layer LightGCN.
*/
        let teacherModel = Recommender(.teacher(.mf), userCount: data.userCount, itemCount: data.itemCount, seed: 3)
        let teacher = TrainedModel(spec: ModelSpec(dataset: dataset, model: .teacher(.mf), training: training, seed: 3),
                                   model: teacherModel, history: TrainingHistory(), graph: nil, loaded: false)
        let studentModel = ModelConfiguration.student(student)
        let studentTrainer = Trainer(model: Recommender(studentModel, userCount: data.userCount, itemCount: data.itemCount, seed: 1),
                                     split: split, configuration: training, seed: 1)
        let plain = Timing.median(Timing.measure(runs) { studentTrainer.trainEpoch(1) })
        table.append(["plain \(studentModel.label) student epoch (reference for the methods below)", String(format: "%.3f", plain),
                      "\(runs)", ""])
        var methods: [(DistillationMethod, TimeTarget)] = [
            (.unkd(UnKDConfiguration()), .timesPlainEpoch(2)), (.rd(RDConfiguration(weight: 0.5)), .timesPlainEpoch(2)),
            (.cd(CDConfiguration()), .timesPlainEpoch(2)), (.deRRD(DERRDConfiguration()), .timesPlainEpoch(10)),
            (.htd(HTDConfiguration()), .timesPlainEpoch(10)),
        ]
        if onlyMethod, let only { methods = methods.filter { $0.0.row.rawValue.lowercased() == only.lowercased() } }
        for (method, target) in methods {
            let spec = DistillationSpec(method: method, teacher: TeacherSpec(model: .teacher(.mf), training: training, seed: 3))
            var term: DistillationTerm?
            let preparation = Timing.measure(1) {
                term = spec.makeTerm(teacher: teacher, train: split.train, student: training, studentModel: studentModel, seed: 1)
            }
            table.append(["\(method.row) preparation (teacher d=100)", String(format: "%.3f", Timing.median(preparation)), "1",
                          method.row == .unkd ? TimeTarget.seconds(3).column(for: Timing.median(preparation), plainEpoch: plain) : ""])
            studentTrainer.distillation = term
            // Epoch 100 or later, so RD's dynamic weights are on.
            let epochs = Timing.measure(runs) { studentTrainer.trainEpoch(120) }
            table.append(["\(method.row) epoch, \(studentModel.label) student", String(format: "%.3f", Timing.median(epochs)), "\(runs)",
                          target.column(for: Timing.median(epochs), plainEpoch: plain)])
            if let unkd = term as? UnKDDistiller {
                let budget = TimeTarget.timesPlainEpoch(1)
                let (swift, c) = PairTermFloor.epochs(unkd, train: split.train, userCount: data.userCount,
                                                     itemCount: data.itemCount, runs: runs)
                table.append(["UnKD pair term alone, one epoch: this package's code", String(format: "%.3f", Timing.median(swift)),
                              "\(runs)", budget.column(for: Timing.median(swift), plainEpoch: plain)])
                table.append(["the same: hand-written C lower bound", String(format: "%.3f", Timing.median(c)), "\(runs)",
                              budget.column(for: Timing.median(c), plainEpoch: plain)])
            }
        }
        studentTrainer.distillation = nil
        // The parts of an MF epoch, to see where its time goes.
        var random = RandomSource(seed: 1)
        let sampling = Timing.measure(runs) { _ = TrainingTriples.draw(split.train, random: &random) }
        table.append(["negative sampling and shuffle, one epoch", String(format: "%.3f", Timing.median(sampling)), "\(runs)", ""])
        for dimension in [100, 10] {
            var table100 = EmbeddingTable(rows: data.userCount + data.itemCount, dimension: dimension)
            var gradient = table100.values
            var adam = Adam(learningRate: 1e-3, count: gradient.count)
            let steps = (split.train.interactionCount + 2047) / 2048
            let adamTimes = Timing.measure(runs) {
                for _ in 0..<steps { adam.update(&table100.values, gradient: &gradient, stride: table100.stride, touchedRows: nil) }
            }
            table.append(["dense Adam, \(steps) steps, d=\(dimension)", String(format: "%.3f", Timing.median(adamTimes)), "\(runs)", ""])
        }
        let student = Recommender(.student(.mf), userCount: data.userCount, itemCount: data.itemCount, seed: 1)
        let validation = Evaluator(split: split, part: .validation)
        let times = Timing.measure(max(runs, 5)) { _ = validation.evaluate(student.parameters, userCount: data.userCount) }
        table.append(["validation pass, \(validation.users.count) users x \(data.itemCount) items, d=10, all metrics",
                      String(format: "%.4f", Timing.median(times)), "\(max(runs, 5))",
                      TimeTarget.seconds(0.08).column(for: Timing.median(times), plainEpoch: plain)])
        if format == .markdown {
            print("Benchmarks on \(dataset) (\(OpenBLASCore.description), \(Parallel.workers) worker threads)\n")
        }
        print(table.rendered(format), terminator: "")
    }
}

/*:
 Matrix products run on OpenBLAS, which picks its kernels from the CPU model when it loads. A version that does not
 know the model falls back to generic SSE3 kernels, several times slower; `preferNativeKernels` then restarts the
 program once with the kernels the CPU can run (every command starts this way). The header of the output names the
 kernels in use.
*/
OpenBLASCore.preferNativeKernels()
Bench.main()
