/// Which distillation method a student is trained with, and its settings.
public enum DistillationMethod: Codable, Hashable, Sendable {
    /// UnKD: popularity-stratified, rank-aware pairs.
    case unkd(UnKDConfiguration)
    /// RD: the teacher's top lists as position-weighted positives, mixed convexly with the base loss.
    case rd(RDConfiguration)
    /// CD: soft labels on items sampled from the teacher's top lists (with a PD teacher, PD-CD).
    case cd(CDConfiguration)
    /// DE-RRD: distillation experts on the embeddings and relaxed ranking distillation on the teacher's top items.
    case deRRD(DERRDConfiguration)
    /// HTD: hierarchical topology distillation (PD-HTD when the teacher is a PD model).
    case htd(HTDConfiguration)

    /// The tables' row of a student distilled with this method from a plain teacher.
    public var row: PaperMethod {
        switch self {
        case .unkd: return .unkd
        case .rd: return .rd
        case .cd: return .cd
        case .deRRD: return .deRRD
        case .htd: return .htd
        }
    }

    /// Every method's name, lower-cased, for matching command-line values.
    public static let names = [PaperMethod.unkd, .rd, .cd, .deRRD, .htd].map { $0.rawValue.lowercased() }

    /// Throws `UnKDError.invalidArgument` for settings the implementation cannot run (checked before any training,
    /// so that a bad `--spec` fails with a message instead of a crash): DE-RRD's expert count must be 1...8.
    public func validate() throws {
        if case let .deRRD(configuration) = self, !(1...ExpertChoiceRows.maximumExperts).contains(configuration.experts) {
            throw UnKDError.invalidArgument(
                "DE-RRD takes 1 to \(ExpertChoiceRows.maximumExperts) experts per side, not \(configuration.experts)")
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
    ///   - studentModel: the student's shape (the expert networks map its dimension onto the teacher's).
    ///   - train: the training interactions.
    ///   - seed: the seed of the term's samplers and networks.
    public func makeTerm(teacher: TrainedModel, train: InteractionMatrix, student: TrainingConfiguration,
                         studentModel: ModelConfiguration, seed: UInt64) -> DistillationTerm
    {
        switch method {
        case let .unkd(configuration):
            return UnKDDistiller(configuration: configuration, teacher: teacher.finalEmbeddings(), train: train, seed: seed)
        case let .rd(configuration):
            return RDDistiller(configuration: configuration, teacher: teacher.finalEmbeddings(), train: train, seed: seed)
        case let .cd(configuration):
            return CDDistiller(configuration: configuration, teacher: teacher.finalEmbeddings(), train: train, seed: seed)
        case var .deRRD(configuration):
            configuration.studentDimension = studentModel.dimension
            return DERRDDistiller(configuration: configuration, teacherScored: teacher.finalEmbeddings(),
                                  teacherEgo: teacher.model.parameters, train: train,
                                  learningRate: Float(student.learningRate), seed: seed)
        case var .htd(configuration):
            configuration.studentDimension = studentModel.dimension
            return HTDDistiller(configuration: configuration, teacherEgo: teacher.model.parameters,
                                learningRate: Float(student.learningRate), seed: seed)
        }
    }
}
