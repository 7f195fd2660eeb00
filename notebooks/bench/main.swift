/*:
 # Benchmarks: how fast the engine trains and evaluates

 The paper's whole grid is three datasets, two backbones, eight methods and several seeds, each trained for up to a
 thousand epochs. Whether that fits on a two-core machine is decided by a handful of numbers, which this notebook
 measures on a release build: the time of one training epoch for each backbone and size, and of one full validation
 pass. Each figure is the median of several runs, after a warm-up run that is not counted.

 For scale, the official PyTorch code on this machine takes 16.6 s per MF epoch (mostly Python negative sampling),
 173 s per LightGCN d=100 epoch, and 0.38 s per validation pass.
*/
import ArgumentParser
import CPairTermFloor
import Foundation
import PaperFigures
import UnKD

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Times training epochs and validation passes (run it on a release build).")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Dataset to time on (default: synthetic-ml1m, MovieLens-1M's shape; ml-1m with --data ml-1m=PATH).")
    var dataset = "synthetic-ml1m"

    @Option(parsing: .unconditional, help: "Timed runs per figure (the median is reported).")
    var runs = 3

    @Flag(help: "Skip the LightGCN figures (the slowest).")
    var skipLightGCN = false

    @Option(help: "Time only the model or distillation method with this label (e.g. mf-d10, lightgcn-d100-l1, de-rrd), for profiling, or only the machine check (machine).")
    var only: String?

    @Option(help: "Output format: markdown or csv.")
    var format: TableFormat = .markdown

    func validate() throws { try OptionCheck.integer(runs, "--runs", in: 1...100) }

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
            let (single, speedup) = twoCoreCeiling(runs: checkRuns)
            table.append(["register-only arithmetic on one core (speed check of the machine)", String(format: "%.3f", single),
                          "\(checkRuns)", ""])
            table.append(["the same on two cores at once: speedup over one (2.00 = perfect)", String(format: "%.2f", speedup),
                          "\(checkRuns)", ""])
        }
        let training = TrainingConfiguration(learningRate: 1e-3, decay: 1e-3)
        var cases: [(ModelConfiguration, String)] = [
            (ModelConfiguration(backbone: .mf, dimension: 100), "<= 0.5"),
            (ModelConfiguration(backbone: .mf, dimension: 10), "<= 0.12"),
        ]
        if !skipLightGCN {
            cases += [(ModelConfiguration(backbone: .lightGCN, dimension: 100, layers: 1), "<= 15"),
                      (ModelConfiguration(backbone: .lightGCN, dimension: 10, layers: 1), "<= 4")]
        }
        let onlyMethod = only.map { name in DistillationMethod.names.contains(name.lowercased()) } ?? false
        if let only { cases = cases.filter { $0.0.label == only } }
        for (configuration, target) in cases {
            let model = Recommender(configuration, userCount: data.userCount, itemCount: data.itemCount, seed: 1)
            let trainer = Trainer(model: model, split: split, configuration: training, seed: 1)
            let times = measure(runs) { trainer.trainEpoch(1) }
            table.append(["\(configuration.label) epoch", String(format: "%.3f", median(times)), "\(runs)", target])
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
 weights are on.
*/
        let teacherModel = Recommender(.teacher(.mf), userCount: data.userCount, itemCount: data.itemCount, seed: 3)
        let teacher = TrainedModel(spec: ModelSpec(dataset: dataset, model: .teacher(.mf), training: training, seed: 3),
                                   model: teacherModel, history: TrainingHistory(), graph: nil, loaded: false)
        let studentTrainer = Trainer(model: Recommender(.student(.mf), userCount: data.userCount, itemCount: data.itemCount, seed: 1),
                                     split: split, configuration: training, seed: 1)
        let plain = median(measure(runs) { studentTrainer.trainEpoch(1) })
        table.append(["plain MF student epoch, d=10 (reference for the methods below)", String(format: "%.3f", plain), "\(runs)", ""])
        var methods: [(DistillationMethod, String)] = [
            (.unkd(UnKDConfiguration()), "<= 2x"), (.rd(RDConfiguration(weight: 0.5)), "<= 2x"), (.cd(CDConfiguration()), "<= 2x"),
            (.deRRD(DERRDConfiguration()), "<= 10x"), (.htd(HTDConfiguration()), "<= 10x"),
        ]
        if onlyMethod, let only { methods = methods.filter { $0.0.row.rawValue.lowercased() == only.lowercased() } }
        for (method, factor) in methods {
            let spec = DistillationSpec(method: method, teacher: TeacherSpec(model: .teacher(.mf), training: training, seed: 3))
            var term: DistillationTerm?
            let preparation = measure(1) {
                term = spec.makeTerm(teacher: teacher, train: split.train, student: training, studentModel: .student(.mf), seed: 1)
            }
            table.append(["\(method.row) preparation (teacher d=100)", String(format: "%.3f", median(preparation)), "1",
                          method.row == .unkd ? "<= 3" : ""])
            studentTrainer.distillation = term
            // Epoch 100 or later, so RD's dynamic weights are on.
            let epochs = measure(runs) { studentTrainer.trainEpoch(120) }
            table.append(["\(method.row) epoch, MF student d=10", String(format: "%.3f", median(epochs)), "\(runs)",
                          "\(factor) = \(String(format: "%.3f", (factor == "<= 2x" ? 2 : 10) * plain))"])
            if let unkd = term as? UnKDDistiller {
                let budget = "<= plain = \(String(format: "%.3f", plain))"
                let (swift, c) = pairTermEpochs(unkd, train: split.train, userCount: data.userCount, itemCount: data.itemCount)
                table.append(["UnKD pair term alone, one epoch: this package's code", String(format: "%.3f", median(swift)), "\(runs)", budget])
                table.append(["the same: hand-written C lower bound", String(format: "%.3f", median(c)), "\(runs)", budget])
            }
        }
        studentTrainer.distillation = nil
        // The parts of an MF epoch, to see where its time goes.
        var random = RandomSource(seed: 1)
        let sampling = measure(runs) { _ = TrainingTriples.draw(split.train, random: &random) }
        table.append(["negative sampling and shuffle, one epoch", String(format: "%.3f", median(sampling)), "\(runs)", ""])
        for dimension in [100, 10] {
            var table100 = EmbeddingTable(rows: data.userCount + data.itemCount, dimension: dimension)
            var gradient = table100.values
            var adam = Adam(learningRate: 1e-3, count: gradient.count)
            let steps = (split.train.interactionCount + 2047) / 2048
            let adamTimes = measure(runs) {
                for _ in 0..<steps { adam.update(&table100.values, gradient: &gradient, stride: table100.stride, touchedRows: nil) }
            }
            table.append(["dense Adam, \(steps) steps, d=\(dimension)", String(format: "%.3f", median(adamTimes)), "\(runs)", ""])
        }
        let student = Recommender(.student(.mf), userCount: data.userCount, itemCount: data.itemCount, seed: 1)
        let validation = Evaluator(split: split, part: .validation)
        let times = measure(max(runs, 5)) { _ = validation.evaluate(student.parameters, userCount: data.userCount) }
        table.append(["validation pass, \(validation.users.count) users x \(data.itemCount) items, d=10, all metrics",
                      String(format: "%.4f", median(times)), "\(max(runs, 5))", "<= 0.08"])
        if format == .markdown {
            print("Benchmarks on \(dataset) (\(OpenBLASCore.description), \(Parallel.workers) worker threads)\n")
        }
        print(table.rendered(format), terminator: "")
    }

    /// Wall times of `runs` calls after one untimed warm-up call.
    func measure(_ runs: Int, _ body: () -> Void) -> [Double] {
        body()
        return (0..<runs).map { _ in
            let start = Date()
            body()
            return Date().timeIntervalSince(start)
        }
    }

    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/*:
 ## How fast UnKD's term could be

 UnKD's target leaves its term the time of one plain epoch. The term evaluates every pair of a user at every step the
 user is in (18 million pairs an epoch on MovieLens-1M), so whether any implementation could meet the target is as
 much a question about the machine as about the code. The benchmark therefore also runs the term alone, on the
 epoch's real pairs and batches, in turn with this package's own code (`PairwiseDistillation`, as training runs it)
 and with a hand-written C version of its per-user step (`Sources/CPairTermFloor`: AVX2 intrinsics and a slope
 cheaper than the logistic, so its time is a lower bound for any implementation along these lines). The C step goes
 through the same bookkeeping (`PerUserDistillation`: each batch's distinct users weighted by their rows, in two
 halves on both cores, the second half into an item gradient of its own that is added to the first after), so the two
 rows differ only in the per-user step. Both read 64-byte aligned copies of the tables, which the training tables are
 not. Between steps, dense Adam over a table of the model's size rewrites every row and the gradient is cleared, as in
 training; only the term is timed. Rows are 16 floats (students up to d = 16).
*/
    /// Seconds per epoch of UnKD's pair term alone, `runs` epochs with the package's code and `runs` with the C lower
    /// bound, taken in turn (after one untimed epoch of each).
    func pairTermEpochs(_ unkd: UnKDDistiller, train: InteractionMatrix, userCount: Int, itemCount: Int)
        -> (swift: [Double], c: [Double]) {
        let stride = 16, dimension = 10, batchSize = 2048, floats = (userCount + itemCount) * stride
        /// `floats` zero floats starting on a cache line (so do the item rows, after userCount rows of 64 bytes).
        func aligned() -> UnsafeMutablePointer<Float> {
            let table = UnsafeMutableRawPointer.allocate(byteCount: floats * 4, alignment: 64)
                .bindMemory(to: Float.self, capacity: floats)
            table.initialize(repeating: 0, count: floats)
            return table
        }
        let table = aligned(), gradient = aligned()
        defer { table.deallocate(); gradient.deallocate() }
        var model = [Float](repeating: 0, count: floats), adamGradient = model
        var random = RandomSource(seed: 1)
        for r in 0..<(userCount + itemCount) {
            for k in 0..<dimension { model[r * stride + k] = 0.1 * (random.unitFloat() - 0.5) }
        }
        var adam = Adam(learningRate: 1e-3, count: floats)
        let rowUsers = TrainingTriples.draw(train, random: &random).users
        let workspace = PerUserWorkspace()
        var touched: [Int32] = []
        func epoch(handWritten: Bool) -> Double {
            var seconds = 0.0
            unkd.pairPositives.withUnsafeBufferPointer { positives in
            unkd.pairNegatives.withUnsafeBufferPointer { negatives in
                for start in Swift.stride(from: 0, to: rowUsers.count, by: batchSize) {
                    adam.update(&model, gradient: &adamGradient, stride: stride, touchedRows: nil)
                    model.withUnsafeBufferPointer { table.update(from: $0.baseAddress!, count: floats) }
                    gradient.update(repeating: 0, count: floats)
                    touched.removeAll(keepingCapacity: true)
                    let users = rowUsers[start..<min(start + batchSize, rowUsers.count)]
                    let begin = Date()
                    if handWritten {
                        _ = PerUserDistillation.accumulate(
                            users, listStart: unkd.pairStart, entryItems: [unkd.pairPositives, unkd.pairNegatives],
                            userCount: userCount, itemCount: itemCount, itemGradient: gradient + userCount * stride,
                            stride: stride, workPerEntry: 6 * stride, workspace: workspace, touched: &touched
                        ) { u, first, count, share, c, itemGradient in
                            unkd_pair_term_floor(table + u * stride, Int32(count), positives.baseAddress! + first,
                                                 negatives.baseAddress! + first, table + userCount * stride,
                                                 share / Float(count), c, gradient + u * stride, itemGradient)
                            return 0
                        }
                    } else {
                        _ = PairwiseDistillation.accumulate(
                            users, pairStart: unkd.pairStart, positives: unkd.pairPositives, negatives: unkd.pairNegatives,
                            final: table, gradient: gradient, stride: stride, userCount: userCount, itemCount: itemCount,
                            weight: 1, workspace: workspace, touched: &touched)
                    }
                    seconds += Date().timeIntervalSince(begin)
                }
            }
            }
            return seconds
        }
        _ = epoch(handWritten: false)
        _ = epoch(handWritten: true)
        var swift: [Double] = [], c: [Double] = []
        for _ in 0..<runs {
            swift.append(epoch(handWritten: false))
            c.append(epoch(handWritten: true))
        }
        Progress.say("UnKD pair term alone, this package: \(swift.map { String(format: "%.3f", $0) }), C: \(c.map { String(format: "%.3f", $0) })")
        return (swift, c)
    }

/*:
 ## How much two cores can give here

 The project's machine is a virtual one with two virtual cores, and the host does not always give each its own
 physical core: a loop that never touches memory, eight independent chains of 8-lane multiply-adds, can take as long
 on two cores at once as on one. So before the epochs, the benchmark times that loop on one core, then two copies of
 it on both cores together, several times in turn. The single-core time says how fast the machine is this hour; the
 speedup is the most any parallel region of an epoch can gain right now, which is what the two-core figures below
 should be read against.
*/
    /// The median time of the register loop on one core, and the median over rounds of 2 x (one-core time) /
    /// (two-core time): two copies of the loop run side by side on the `WorkerTeam`.
    func twoCoreCeiling(runs: Int) -> (single: Double, speedup: Double) {
        let rounds = 100_000_000
        var singles: [Double] = [], speedups: [Double] = []
        var sink: Float = 0
        for _ in 0...runs {
            var start = Date()
            sink += registerArithmetic(rounds: rounds, seed: sink)
            let one = Date().timeIntervalSince(start)
            var parts: [Float] = [0, 0]
            start = Date()
            parts.withUnsafeMutableBufferPointer { parts in
                Parallel.run(chunks: 2) { k in parts[k] = registerArithmetic(rounds: rounds, seed: Float(k)) }
            }
            let two = Date().timeIntervalSince(start)
            sink += parts[0] + parts[1]
            singles.append(one)
            speedups.append(2 * one / two)
        }
        // The first round warms the helper thread up and is not counted; `sink` keeps the work from being removed.
        if sink.isNaN { Progress.say("register loop: \(sink)") }
        Progress.say("register loop, two cores over one: \(speedups.dropFirst().map { String(format: "%.2f", $0) })")
        return (median(Array(singles.dropFirst())), median(Array(speedups.dropFirst())))
    }
}

/// `rounds` x 8 x 8 multiply-adds held in registers (eight independent chains, so the loop is limited by arithmetic
/// throughput, not by latency or memory); returns a sum of the chains.
@inline(never)
func registerArithmetic(rounds: Int, seed: Float) -> Float {
    let m = SIMD8<Float>(repeating: 0.999_999_9), c = SIMD8<Float>(repeating: 1e-7)
    var a0 = SIMD8<Float>(repeating: seed), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3
    var a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7
    for _ in 0..<rounds {
        a0 = c.addingProduct(a0, m); a1 = c.addingProduct(a1, m); a2 = c.addingProduct(a2, m); a3 = c.addingProduct(a3, m)
        a4 = c.addingProduct(a4, m); a5 = c.addingProduct(a5, m); a6 = c.addingProduct(a6, m); a7 = c.addingProduct(a7, m)
    }
    return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).sum()
}

/*:
 Matrix products run on OpenBLAS, which picks its kernels from the CPU model when it loads. A version that does not
 know the model falls back to generic SSE3 kernels, several times slower; `preferNativeKernels` then restarts the
 program once with the kernels the CPU can run (every notebook starts this way). The header of the output names the
 kernels in use.
*/
OpenBLASCore.preferNativeKernels()
Bench.main()
