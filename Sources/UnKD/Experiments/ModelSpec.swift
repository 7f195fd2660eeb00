/// One model to obtain: which data, which split, which architecture, how trained, which seed.
///
/// Every result is stored under its spec: the result file's name carries the spec's hash (`ResultStore.key`) and the
/// file holds the spec as JSON, so the encoded form of this type and of its parts is what lets stored results load.
public struct ModelSpec: Codable, Hashable, Sendable {
    /// The dataset.
    public var dataset: DatasetName
    /// Split protocol.
    public var splitProtocol: SplitProtocol
    /// Seed of the split (fixed across training seeds by default, so seeds vary the training only).
    public var splitSeed: UInt64
    /// Architecture and objective.
    public var model: ModelConfiguration
    /// Optimisation settings.
    public var training: TrainingConfiguration
    /// Seed of initialisation and sampling.
    public var seed: UInt64
    /// For a distilled student: the method and the teacher; nil for a model trained on the data alone.
    public var distillation: DistillationSpec?

    /// A spec with the official code's protocol and split seed.
    public init(dataset: DatasetName, splitProtocol: SplitProtocol = .unkdCode, splitSeed: UInt64 = 2022,
                model: ModelConfiguration, training: TrainingConfiguration, seed: UInt64,
                distillation: DistillationSpec? = nil) {
        self.dataset = dataset
        self.splitProtocol = splitProtocol
        self.splitSeed = splitSeed
        self.model = model
        self.training = training
        self.seed = seed
        self.distillation = distillation
    }

    /// The spec of this spec's teacher, if it is a distilled student.
    public var teacherSpec: ModelSpec? {
        distillation.map { ModelSpec(dataset: dataset, splitProtocol: splitProtocol, splitSeed: splitSeed,
                                     model: $0.teacher.model, training: $0.teacher.training, seed: $0.teacher.seed) }
    }

    /// A short description for progress lines, naming a student's teacher (so PD-CD reads apart from CD).
    public var label: String {
        let method = distillation.map { "\($0.method.row) " } ?? ""
        let teacher = distillation.map { " from \($0.teacher.model.label)" } ?? ""
        return "\(dataset) \(method)\(model.label)\(teacher) lr=\(training.learningRate) decay=\(training.decay) seed=\(seed)"
    }
}
