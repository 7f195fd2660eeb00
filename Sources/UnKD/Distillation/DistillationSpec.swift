/// Which distillation method a student is trained with, and its settings.
public enum DistillationMethod: Codable, Hashable, Sendable {
    /// UnKD: popularity-stratified, rank-aware pairs.
    case unkd(UnKDConfiguration)
    /// DE-RRD: distillation experts on the embeddings and relaxed ranking distillation on the teacher's top items.
    case deRRD(DERRDConfiguration)
    /// HTD: hierarchical topology distillation (PD-HTD when the teacher is a PD model).
    case htd(HTDConfiguration)

    /// The name used in tables and figures.
    public var name: String {
        switch self {
        case .unkd: return "UnKD"
        case .deRRD: return "DE-RRD"
        case .htd: return "HTD"
        }
    }
}

/// The teacher a student learns from: a model of the same dataset and split, identified by how it was trained.
public struct TeacherSpec: Codable, Hashable, Sendable {
    /// Architecture and objective of the teacher.
    public var model: ModelConfiguration
    /// How the teacher was trained.
    public var training: TrainingConfiguration
    /// The teacher's seed.
    public var seed: UInt64

    /// A teacher description.
    public init(model: ModelConfiguration, training: TrainingConfiguration, seed: UInt64) {
        self.model = model
        self.training = training
        self.seed = seed
    }
}

/// A distillation method together with its teacher.
public struct DistillationSpec: Codable, Hashable, Sendable {
    /// The method and its settings.
    public var method: DistillationMethod
    /// The teacher.
    public var teacher: TeacherSpec

    /// A distillation description.
    public init(method: DistillationMethod, teacher: TeacherSpec) {
        self.method = method
        self.teacher = teacher
    }

    /// The distillation term for a student, prepared from the trained teacher.
    ///
    /// - Parameters:
    ///   - teacher: the frozen teacher (its scored embeddings give soft labels and rankings; its ego embeddings serve
    ///     the embedding-based methods).
    ///   - student: how the student is trained (methods with parameters of their own use its learning rate).
    public func makeTerm(teacher: TrainedModel, train: InteractionMatrix, student: TrainingConfiguration, seed: UInt64)
        -> DistillationTerm
    {
        switch method {
        case let .unkd(configuration):
            return UnKDDistiller(configuration: configuration, teacher: teacher.finalEmbeddings(), train: train, seed: seed)
        case let .deRRD(configuration):
            return DERRDDistiller(configuration: configuration, teacherScored: teacher.finalEmbeddings(),
                                  teacherEgo: teacher.model.parameters, train: train,
                                  learningRate: Float(student.learningRate), seed: seed)
        case let .htd(configuration):
            return HTDDistiller(configuration: configuration, teacherEgo: teacher.model.parameters,
                                learningRate: Float(student.learningRate), seed: seed)
        }
    }
}
