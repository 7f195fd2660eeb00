// crosscheck: exports what the authors' PyTorch code needs to be run on exactly the package's inputs.
//
// For one dataset, split protocol and seed it writes the split, the trained teacher's embeddings, the popularity
// groups, UnKD's candidate lists and the package's own evaluation of the teacher; on request a trained student, one
// mini-batch of the package's sampled distillation inputs with the package's loss values on them, and the first
// epoch of a student's training, the Student's or UnKD's (its parameters before and after, and the epoch's rows and
// pairs). The driver in
// `crosscheck/` (Python) reads the folder, runs the authors' code on it and compares stage by stage. The format is
// documented in `crosscheck/export-format.md`.
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Crosscheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck",
        abstract: "Exports a split, a trained teacher (and student), groups, UnKD's candidate lists, one batch of sampled distillation inputs and one epoch of training for the cross-check with the authors' code.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Dataset name (as in --data or the catalogue).")
    var dataset: DatasetName = .movieLens

    @Option(name: .customLong("protocol"), help: "Split protocol: unkd-code (the official code's, default) or paper-text.")
    var splitProtocol: SplitProtocol = .unkdCode

    @Option(help: "Backbone of the teacher and student: mf or lightgcn.")
    var backbone: Backbone = .mf

    @Option(parsing: .unconditional, help: "Training seed of the teacher and student (the split's seed is the grid's, 2022).")
    var seed: UInt64 = 2022

    @Option(help: "Output folder (created; files in it are replaced).")
    var out: String

    @Option(help: "Also export this trained student: a row of Table 3 (Student, RD, CD, DE-RRD, HTD, UnKD).")
    var student: PaperMethod?

    @Flag(help: "Also export one mini-batch of sampled distillation inputs and the package's loss values on them.")
    var batch = false

    @Flag(help: "Also export a student before and after its first training epoch, with that epoch's rows (and UnKD's pairs).")
    var epoch = false

    @Option(name: .customLong("epoch-method"),
            help: "The student of --epoch: Student (BPR alone, default) or UnKD (K = 4, mu 20, 30 pairs, weight 1, reversed pairs collapsed as in the authors' code).")
    var epochMethod: PaperMethod = .student

    @Option(name: .customLong("candidate-groups"), parsing: .unconditionalSingleValue,
            help: "A number of groups K for which UnKD's candidate lists are exported (repeat the option for each).")
    var candidateGroups: [Int] = [2, 4]

    @Option(name: .customLong("models-dir"), help: "Where trained models are kept (default: <data dir>/models).")
    var modelsDirectory: String?

    func validate() throws {
        try OptionCheck.datasets([dataset], data: dataOptions)
        let tableRows = PaperGrid.table3Methods.filter { $0 != .teacher }
        if let student, !tableRows.contains(student) {
            throw ValidationError("--student must be one of \(tableRows.map(\.rawValue).joined(separator: ", ")); got '\(student)'")
        }
        if ![.student, .unkd].contains(epochMethod) {
            throw ValidationError("--epoch-method must be Student or UnKD; got '\(epochMethod)'")
        }
        if let k = candidateGroups.first(where: { !(1...10).contains($0) }) {
            throw ValidationError("--candidate-groups takes K in 1...10; got \(k)")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: out)
        let workspace = Workspace(locator: try dataOptions.locator(), modelFolder: modelsDirectory.map { URL(fileURLWithPath: $0) })
        let grid = PaperGrid(dataset: dataset, splitProtocol: splitProtocol)
        let split = try workspace.split(dataset, protocol: splitProtocol)
        let teacher = try workspace.trainedModel(grid.teacher(backbone, seed: seed))
        let exporter = Exporter(folder: folder, split: split)

        try exporter.writeSplit()
        try exporter.writeEmbeddings(teacher, name: "teacher")
        var metrics = ["teacher": try exporter.evaluations(of: teacher)]
        let groupCounts = Array(2...10)
        for k in groupCounts { try exporter.writeGroups(k) }
        for k in candidateGroups { try exporter.writeCandidates(teacher: teacher, groupCount: k) }

        var exportedStudent: (method: PaperMethod, model: TrainedModel)?
        if let student {
            let spec = grid.runs([student], backbone, seed: seed)[0].spec
            let trained = try workspace.trainedModel(spec)
            try exporter.writeEmbeddings(trained, name: "student")
            metrics["student"] = try exporter.evaluations(of: trained)
            exportedStudent = (student, trained)
        }
        var batchManifest: BatchManifest?
        if batch {
            let parameters = try exportedStudent?.model ?? workspace.trainedModel(grid.student(backbone, seed: seed))
            batchManifest = try exporter.writeBatch(teacher: teacher, student: parameters, method: student ?? .student, seed: seed)
        }
        let epochManifest = epoch ? try exporter.writeEpoch(epochSpec(grid), teacher: teacher) : nil
        try exporter.writeJSON(metrics, to: "metrics.json")
        let manifest = Manifest(
            dataset: dataset, protocol: splitProtocol, splitSeed: teacher.spec.splitSeed, seed: seed,
            users: split.train.userCount, items: split.train.itemCount, splitFingerprint: split.fingerprint,
            teacher: ModelManifest(teacher, method: .teacher),
            student: exportedStudent.map { ModelManifest($0.model, method: $0.method) },
            groupCounts: groupCounts, candidateGroupCounts: candidateGroups, candidateCap: UnKDConfiguration().listCap,
            batch: batchManifest, epoch: epochManifest)
        try exporter.writeJSON(manifest, to: "manifest.json")
        print("exported \(dataset) (\(splitProtocol.rawValue), seed \(seed)) to \(folder.path)")
    }

    /// The student whose first epoch `--epoch` exports: the backbone's Student, or UnKD at the authors' constants
    /// with reversed pairs collapsed as their code keeps them (their tensors of pairs are rectangular).
    func epochSpec(_ grid: PaperGrid) -> ModelSpec {
        guard epochMethod == .unkd else { return grid.student(backbone, seed: seed) }
        var grid = grid
        grid.unkd = UnKDConfiguration(reversedPairs: .collapsed)
        return grid.runs([.unkd], backbone, seed: seed)[0].spec
    }
}

/// The export's description (`manifest.json`).
struct Manifest: Encodable {
    var format = 1
    var dataset: DatasetName
    var `protocol`: SplitProtocol
    var splitSeed: UInt64
    var seed: UInt64
    var users: Int
    var items: Int
    var splitFingerprint: String
    var teacher: ModelManifest
    var student: ModelManifest?
    var groupCounts: [Int]
    var candidateGroupCounts: [Int]
    var candidateCap: Int
    var batch: BatchManifest?
    var epoch: EpochManifest?
}

/// One exported model.
struct ModelManifest: Encodable {
    var method: PaperMethod
    var backbone: Backbone
    var dimension: Int
    var layers: Int
    var learningRate: Double
    var decay: Double

    init(_ trained: TrainedModel, method: PaperMethod) { self.init(trained.spec, method: method) }

    init(_ spec: ModelSpec, method: PaperMethod) {
        self.method = method
        backbone = spec.model.backbone
        dimension = spec.model.dimension
        layers = spec.model.backbone == .mf ? 0 : spec.model.layers
        learningRate = spec.training.learningRate
        decay = spec.training.decay
    }
}

/// What `epoch/` holds: one epoch of a student's training from its initial parameters.
struct EpochManifest: Encodable {
    /// The model trained (its method: Student or UnKD).
    var student: ModelManifest
    /// UnKD's settings when the student is distilled with it (`epoch/unkd-*.npy` hold its pairs of the epoch).
    var unkd: UnKDConfiguration?
    /// The training seed (of the initial parameters and the epoch's rows).
    var seed: UInt64
    /// Rows per mini-batch; the last batch of the epoch holds the rest.
    var batchSize: Int
    /// Rows of the epoch (every training interaction once).
    var rows: Int
    /// The optimiser's treatment of rows without a gradient.
    var optimiser: AdamVariant
    /// The mean over the epoch's mini-batches of the batch loss (BPR + decay x L2, plus the weighted UnKD term).
    var meanLoss: Double
}

/// What `batch/` holds.
struct BatchManifest: Encodable {
    /// The student at whose parameters the losses were evaluated.
    var student: ModelManifest
    var rows: Int
    var unkdGroups: Int
    var unkdPairsPerUser: Int
    var unkdMu: Double
    var rdDynamicEpoch: Int
}

/// The package's loss values on the exported batch (`batch/losses.json`), each unweighted.
struct BatchLosses: Encodable {
    var bpr: Float
    var l2: Float
    var decay: Double
    var unkd: Float
    var rd: [String: Float]
    var cd: Float
    var derrdRanking: Float
}

/// Writes the files of one export folder.
struct Exporter {
    let folder: URL
    let split: DataSplit

    /// `train.txt`, `validation.txt`, `test.txt`: `u i1 i2 ...`, items ascending.
    func writeSplit() throws {
        func lines(_ part: InteractionMatrix, users: [Int32]) -> String {
            users.map { u in ([String(u)] + part.items(of: Int(u)).map(String.init)).joined(separator: " ") + "\n" }.joined()
        }
        try AtomicFile.write(lines(split.train, users: (0..<split.train.userCount).map(Int32.init)),
                             to: folder.appendingPathComponent("train.txt"))
        try AtomicFile.write(lines(split.validation, users: split.validationUsers), to: folder.appendingPathComponent("validation.txt"))
        try AtomicFile.write(lines(split.test, users: split.testUsers), to: folder.appendingPathComponent("test.txt"))
    }

    /// `<name>-user.npy` and `<name>-item.npy`: a model's ego embeddings.
    func writeEmbeddings(_ trained: TrainedModel, name: String) throws {
        try writeEmbeddings(trained.model.parameters, userCount: trained.model.userCount, name: name)
    }

    /// `<name>-user.npy` and `<name>-item.npy`: a table of ego embeddings, users first.
    func writeEmbeddings(_ table: EmbeddingTable, userCount users: Int, name: String) throws {
        try table.numpyArray(rows: 0..<users).write(to: folder.appendingPathComponent("\(name)-user.npy"))
        try table.numpyArray(rows: users..<table.rows).write(to: folder.appendingPathComponent("\(name)-item.npy"))
    }

    /// `epoch/`: the student of `spec` as its training starts (`initial-*.npy`), the rows of its first epoch in the
    /// order its mini-batches take them (`rows.npy`), UnKD's pairs of that epoch when it distils (`unkd-*.npy`), and
    /// its parameters after the epoch (`after-*.npy`), for the stage-t comparison of one epoch of training.
    func writeEpoch(_ spec: ModelSpec, teacher: TrainedModel) throws -> EpochManifest {
        let train = split.train
        let initial = Recommender(spec.model, userCount: train.userCount, itemCount: train.itemCount, seed: spec.seed)
        let trainer = Trainer(model: initial, split: split, configuration: spec.training, seed: spec.seed)
        trainer.distillation = spec.distillation?.makeTerm(teacher: teacher, train: train, student: spec.training,
                                                           studentModel: spec.model, seed: spec.seed)
        let meanLoss = trainer.trainEpoch(1)
        let unkd = trainer.distillation as? UnKDDistiller
        if let unkd { try writePairs(of: unkd, prefix: "epoch/unkd") }
        let rows = trainer.latestEpochRows
        let interleaved = (0..<rows.count).flatMap { [rows.users[$0], rows.positives[$0], rows.negatives[$0]] }
        try NumpyArray(int32: interleaved, shape: [rows.count, 3]).write(to: folder.appendingPathComponent("epoch/rows.npy"))
        try writeEmbeddings(initial.parameters, userCount: train.userCount, name: "epoch/initial")
        try writeEmbeddings(trainer.model.parameters, userCount: train.userCount, name: "epoch/after")
        return EpochManifest(student: ModelManifest(spec, method: spec.distillation?.method.row ?? .student),
                             unkd: unkd?.configuration, seed: spec.seed, batchSize: spec.training.batchSize,
                             rows: rows.count, optimiser: spec.training.optimiser, meanLoss: meanLoss)
    }

    /// The package's evaluation of a model on the validation and the test users.
    func evaluations(of trained: TrainedModel) throws -> [String: EvaluationReport] {
        let final = trained.finalEmbeddings()
        return [Evaluator.Part.validation, .test].reduce(into: [:]) { reports, part in
            reports[part.rawValue] = Evaluator(split: split, part: part).evaluate(final, userCount: trained.model.userCount)
        }
    }

    /// `groups-K<k>.txt`: one line per popularity group, most popular first.
    func writeGroups(_ k: Int) throws {
        let groups = PopularityGroups(train: split.train, groupCount: k)
        let text = groups.groups.map { $0.map(String.init).joined(separator: " ") + "\n" }.joined()
        try AtomicFile.write(text, to: folder.appendingPathComponent("groups-K\(k).txt"))
    }

    /// `candidates-K<k>-start.npy` and `-items.npy`: the teacher's ranking of every user's candidates in every group.
    func writeCandidates(teacher: TrainedModel, groupCount k: Int) throws {
        let groups = PopularityGroups(train: split.train, groupCount: k)
        let ranking = TeacherRanking(teacher: teacher.finalEmbeddings(), userCount: split.train.userCount, train: split.train,
                                     groups: groups, cap: UnKDConfiguration().listCap)
        try NumpyArray(int64: ranking.start).write(to: folder.appendingPathComponent("candidates-K\(k)-start.npy"))
        try NumpyArray(int32: ranking.items, shape: [ranking.items.count])
            .write(to: folder.appendingPathComponent("candidates-K\(k)-items.npy"))
    }

    /// `batch/`: one mini-batch of BPR rows, the student's parameters, every method's sampled inputs (official
    /// constants, weight 1) and the package's loss values on them.
    ///
    /// Each loss is taken where training takes it: the BPR and distillation terms on the scored rows (a LightGCN
    /// student's propagated embeddings, an MF student's ego rows), the L2 penalty on the ego rows.
    func writeBatch(teacher: TrainedModel, student: TrainedModel, method: PaperMethod, seed: UInt64) throws -> BatchManifest {
        let batchFolder = folder.appendingPathComponent("batch")
        let train = split.train, userCount = train.userCount, itemCount = train.itemCount
        var random = RandomSource.derived(seed: seed, "crosscheck/batch")
        let triples = TrainingTriples.draw(train, random: &random)
        let rowCount = min(2048, triples.count)
        let batch = TrainingBatch(users: triples.users[0..<rowCount], positives: triples.positives[0..<rowCount],
                                  negatives: triples.negatives[0..<rowCount])
        let rows = (0..<rowCount).flatMap { [batch.users[$0], batch.positives[$0], batch.negatives[$0]] }
        try NumpyArray(int32: rows, shape: [rowCount, 3]).write(to: batchFolder.appendingPathComponent("rows.npy"))
        try writeEmbeddings(student, name: "batch/student")

        let ego = student.model.parameters, final = student.finalEmbeddings(), stride = final.stride
        let teacherScored = teacher.finalEmbeddings()
        /// The value a term's `accumulate` returns on the batch at `table` (its gradient is discarded).
        func loss(at table: EmbeddingTable = final,
                  _ evaluate: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, inout [Int32]) -> Float) -> Float {
            var gradient = [Float](repeating: 0, count: table.values.count), touched: [Int32] = []
            return table.values.withUnsafeBufferPointer { rows in
                gradient.withUnsafeMutableBufferPointer { evaluate(rows.baseAddress!, $0.baseAddress!, &touched) }
            }
        }
        let bpr: Float = loss { BPRObjective.accumulate(batch, final: $0, gradient: $1, stride: stride, userCount: userCount,
                                                 itemWeights: nil, touched: &$2) }
        let l2: Float = loss(at: ego) { ego, gradient, _ in
            BPRObjective.accumulateL2(batch, ego: ego, gradient: gradient, stride: stride, userCount: userCount, decay: 1)
        }

        let unkdConfiguration = UnKDConfiguration()
        let unkd = UnKDDistiller(configuration: unkdConfiguration, teacher: teacherScored, train: train, seed: seed)
        unkd.resample()
        try writePairs(of: unkd, prefix: "batch/unkd")
        // The same draws as the official code keeps them (reversed pairs collapsed), for the comparison of the laws.
        let collapsed = UnKDDistiller(configuration: UnKDConfiguration(reversedPairs: .collapsed), teacher: teacherScored,
                                      train: train, seed: seed)
        collapsed.resample()
        try writePairs(of: collapsed, prefix: "batch/unkd-collapsed")
        let unkdLoss: Float = loss { unkd.accumulate(batch, final: $0, gradient: $1, stride: stride, userCount: userCount, epoch: 1, touched: &$2) }

        let rdConfiguration = RDConfiguration(weight: 1)
        let rd = RDDistiller(configuration: rdConfiguration, teacher: teacherScored, train: train, seed: seed)
        let rdStatic: Float = loss { rd.accumulate(batch, final: $0, gradient: $1, stride: stride, userCount: userCount, epoch: 1, touched: &$2) }
        let dynamicEpoch = rdConfiguration.dynamicStartEpoch
        rd.beginEpoch(dynamicEpoch)
        let rdDynamic: Float = loss { rd.accumulate(batch, final: $0, gradient: $1, stride: stride, userCount: userCount,
                                             epoch: dynamicEpoch, touched: &$2) }
        try NumpyArray(int32: rd.topItems, shape: [userCount, rdConfiguration.topCount])
            .write(to: batchFolder.appendingPathComponent("rd-top.npy"))
        try NumpyArray(int32: rd.dynamicItems, shape: [userCount, rdConfiguration.dynamicSamples])
            .write(to: batchFolder.appendingPathComponent("rd-dynamic.npy"))

        let cdConfiguration = CDConfiguration()
        let cd = CDDistiller(configuration: cdConfiguration, teacher: teacherScored, train: train, seed: seed)
        let cdLoss: Float = loss { cd.accumulate(batch, final: $0, gradient: $1, stride: stride, userCount: userCount, epoch: 1, touched: &$2) }
        try NumpyArray(int32: cd.items, shape: [userCount, cdConfiguration.itemsPerUser])
            .write(to: batchFolder.appendingPathComponent("cd-items.npy"))

        let deRRDConfiguration = DERRDConfiguration(studentDimension: student.spec.model.dimension)
        let samples = RelaxedRankingSamples(
            teacher: teacherScored, train: train, window: deRRDConfiguration.window, interesting: deRRDConfiguration.interesting,
            uninteresting: deRRDConfiguration.uninteresting, temperature: deRRDConfiguration.rankTemperature, seed: seed)
        let ranking: Float = loss { RelaxedRankingLoss.accumulate(batch.users, samples: samples, final: $0, gradient: $1, stride: stride,
                                                          userCount: userCount, itemCount: itemCount, weight: 1,
                                                          workspace: PerUserWorkspace(), touched: &$2) }
        let interesting = (0..<userCount).flatMap { samples.interesting(of: $0) }
        let uninteresting = (0..<userCount).flatMap { samples.uninteresting(of: $0) }
        try NumpyArray(int32: interesting, shape: [userCount, deRRDConfiguration.interesting])
            .write(to: batchFolder.appendingPathComponent("derrd-interesting.npy"))
        try NumpyArray(int32: uninteresting, shape: [userCount, deRRDConfiguration.uninteresting])
            .write(to: batchFolder.appendingPathComponent("derrd-uninteresting.npy"))

        try writeJSON(BatchLosses(bpr: bpr, l2: l2, decay: student.spec.training.decay, unkd: unkdLoss,
                                  rd: ["static": rdStatic, "dynamic": rdDynamic], cd: cdLoss, derrdRanking: ranking),
                      to: "batch/losses.json")
        return BatchManifest(student: ModelManifest(student, method: method), rows: rowCount, unkdGroups: unkd.groups.count,
                             unkdPairsPerUser: unkdConfiguration.pairsPerUser, unkdMu: unkdConfiguration.mu,
                             rdDynamicEpoch: dynamicEpoch)
    }

    /// Writes one epoch of UnKD pairs to `<prefix>-start.npy`, `-positive.npy` and `-negative.npy`.
    func writePairs(of unkd: UnKDDistiller, prefix: String) throws {
        try NumpyArray(int64: unkd.pairStart).write(to: folder.appendingPathComponent("\(prefix)-start.npy"))
        try NumpyArray(int32: unkd.pairPositives, shape: [unkd.pairPositives.count])
            .write(to: folder.appendingPathComponent("\(prefix)-positive.npy"))
        try NumpyArray(int32: unkd.pairNegatives, shape: [unkd.pairNegatives.count])
            .write(to: folder.appendingPathComponent("\(prefix)-negative.npy"))
    }

    /// Writes a value as pretty-printed JSON with sorted keys.
    func writeJSON<T: Encodable>(_ value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(value), to: folder.appendingPathComponent(name))
    }
}

OpenBLASCore.preferNativeKernels()
Crosscheck.main()
