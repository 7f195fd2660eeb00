import Foundation

/// DE-RRD's settings: the constants of the UnKD code and the two weights
/// (docs/differences.md#de-rrds-other-deviations).
public struct DERRDConfiguration: Codable, Hashable, Sendable {
    /// T, the teacher's top list the interesting items are drawn from.
    public var window: Int = 100
    /// K, interesting items per user.
    public var interesting: Int = 20
    /// L, uninteresting items per user.
    public var uninteresting: Int = 20
    /// Temperature of the rank distribution p(r) ∝ exp(-(r + 1) / temperature) of the interesting items.
    public var rankTemperature: Double = 30
    /// E, experts per side.
    public var experts: Int = 5
    /// Fixed Gumbel-softmax temperature of the expert selection.
    public var gumbelTemperature: Double = 10
    /// kd_weight, the weight of RRD.
    public var weight: Double = 1
    /// de_weight, the weight of DE.
    public var expertWeight: Double = 0.001
    /// d_s, the student's embedding dimension, which shapes the experts (the paper's students have 10).
    public var studentDimension: Int = 10

    /// The UnKD code's defaults.
    public init(window: Int = 100, interesting: Int = 20, uninteresting: Int = 20, rankTemperature: Double = 30,
                experts: Int = 5, gumbelTemperature: Double = 10, weight: Double = 1, expertWeight: Double = 0.001,
                studentDimension: Int = 10) {
        self.window = window
        self.interesting = interesting
        self.uninteresting = uninteresting
        self.rankTemperature = rankTemperature
        self.experts = experts
        self.gumbelTemperature = gumbelTemperature
        self.weight = weight
        self.expertWeight = expertWeight
        self.studentDimension = studentDimension
    }
}

/// DE-RRD (Kang et al., CIKM 2020) as the UnKD code runs it: Distillation Experts on the embeddings plus Relaxed
/// Ranking Distillation on the scores, KD = kd_weight * RRD + de_weight * DE, added to the student's BPR loss.
///
/// RRD (`RelaxedRankingLoss`) acts on the student's scored embeddings, so it is added in `accumulate`. DE
/// (`DistillationExperts`) acts on the ego embeddings of student and teacher, as in the code, so it is added in
/// `accumulateOnEgo`: per batch, the mean over the batch rows' users (duplicates included) of the user-side loss, plus
/// the means over the rows' interesting items and over their uninteresting items of the item-side loss.
///
/// Deviations from the UnKD code: the teacher is frozen (the code lets Adam move the teacher's embeddings through the
/// DE loss: docs/differences.md#de-rrds-teacher-is-frozen): `teacherEgo` is a copy that nothing writes to. With an MF
/// student the scoring is MF's (the code's DE-RRD student is always a LightGCN:
/// docs/differences.md#de-rrd-and-htd-students-on-mf). The experts and gates are trained by the DE loss with their
/// own Adam at the student's learning rate, without L2, as in the code.
public final class DERRDDistiller: DistillationTerm {
    /// The settings.
    public let configuration: DERRDConfiguration
    /// Each user's interesting and uninteresting items, drawn once.
    public let samples: RelaxedRankingSamples
    /// The teacher's ego embeddings, DE's targets; frozen.
    public let teacherEgo: EmbeddingTable
    let userExperts: DistillationExperts
    let itemExperts: DistillationExperts
    /// The experts' and gates' parameters.
    var networks = NetworkParameters()
    private var noise: RandomSource
    private let workspace = PerUserWorkspace()
    /// Test hook: while set, every call draws the same Gumbel noise and the networks keep their parameters (their
    /// gradient stays readable in `networks`), so the loss is a fixed function of the student's embeddings.
    var holdsStep = false

    public var baseWeight: Float { 1 }

    /// The Gumbel noise's generator and the networks with their optimiser.
    public var trainingState: DistillationState {
        get { DistillationState(noise: noise, networks: networks) }
        set { newValue.restore(noise: &noise, networks: &networks) }
    }

    /// Prepares DE-RRD from a frozen teacher: draws the RRD items from its scored embeddings' ranking and sets up the
    /// experts (initialised like PyTorch's Linear) between the student's and the teacher's ego spaces.
    public init(configuration: DERRDConfiguration, teacherScored: EmbeddingTable, teacherEgo: EmbeddingTable,
                train: InteractionMatrix, learningRate: Float, seed: UInt64) {
        self.configuration = configuration
        self.samples = RelaxedRankingSamples(teacher: teacherScored, train: train, window: configuration.window,
                                             interesting: configuration.interesting, uninteresting: configuration.uninteresting,
                                             temperature: configuration.rankTemperature, seed: seed)
        self.teacherEgo = teacherEgo
        let temperature = Float(configuration.gumbelTemperature)
        userExperts = DistillationExperts(studentDimension: configuration.studentDimension, teacherDimension: teacherEgo.dimension,
                                          experts: configuration.experts, temperature: temperature, parameters: &networks)
        itemExperts = DistillationExperts(studentDimension: configuration.studentDimension, teacherDimension: teacherEgo.dimension,
                                          experts: configuration.experts, temperature: temperature, parameters: &networks)
        var initialisation = RandomSource.derived(seed: seed, "de-rrd/networks")
        networks.initialise(userExperts.layers + itemExperts.layers, learningRate: learningRate, random: &initialisation)
        noise = RandomSource.derived(seed: seed, "de-rrd")
    }

    /// The items are drawn once, at preparation.
    public func beginEpoch(_ epoch: Int) {}

    public func accumulate(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                           stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float {
        let weight = Float(configuration.weight)
        return weight * RelaxedRankingLoss.accumulate(batch.users, samples: samples, final: final, gradient: gradient,
                                                      stride: stride, userCount: userCount,
                                                      itemCount: teacherEgo.rows - samples.userCount,
                                                      weight: weight, workspace: workspace, touched: &touched)
    }

    /// The networks' products are small, so they run on single-threaded BLAS (see `withSingleThreadedBLAS`).
    public func accumulateOnEgo(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float {
        BlockScoring.withSingleThreadedBLAS {
            accumulateNetworks(batch, ego: ego, gradient: gradient, stride: stride, userCount: userCount, touched: &touched)
        }
    }

    private func accumulateNetworks(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                    stride: Int, userCount: Int, touched: inout [Int32]) -> Float {
        precondition(stride == EmbeddingTable.stride(for: configuration.studentDimension),
                     "DE-RRD was configured for students of dimension \(configuration.studentDimension)")
        guard batch.count > 0 else { return 0 }
        let deWeight = Float(configuration.expertWeight)
        var random = noise
        networks.clearGradient()
        var loss = 0.0

        // Users: one row per batch row.
        var users = EntityRows(idCount: userCount, tableOffset: 0)
        for user in batch.users { users.add(Int(user), weight: deWeight / Float(batch.count)) }
        loss += accumulateExperts(users, experts: userExperts, ego: ego, gradient: gradient, stride: stride, random: &random)

        // Items: one row per (batch row, interesting item), then per (batch row, uninteresting item).
        var items = EntityRows(idCount: teacherEgo.rows - userCount, tableOffset: userCount)
        let interestingCount = batch.users.reduce(0) { $0 + samples.interesting(of: Int($1)).count }
        let uninterestingCount = batch.users.reduce(0) { $0 + samples.uninteresting(of: Int($1)).count }
        for user in batch.users {
            for item in samples.interesting(of: Int(user)) { items.add(Int(item), weight: deWeight / Float(interestingCount)) }
        }
        for user in batch.users {
            for item in samples.uninteresting(of: Int(user)) { items.add(Int(item), weight: deWeight / Float(uninterestingCount)) }
        }
        loss += accumulateExperts(items, experts: itemExperts, ego: ego, gradient: gradient, stride: stride, random: &random)

        touched.append(contentsOf: users.tableRows)
        touched.append(contentsOf: items.tableRows)
        if !holdsStep {
            networks.step()
            noise = random
        }
        return Float(loss)
    }

    /// One side's DE loss: gathers the distinct entities' embeddings, runs the experts, scatters the gradient back.
    private func accumulateExperts(_ rows: EntityRows, experts: DistillationExperts, ego: UnsafePointer<Float>,
                            gradient: UnsafeMutablePointer<Float>, stride: Int, random: inout RandomSource) -> Double {
        let n = rows.entities.count, ds = experts.studentDimension, dt = experts.teacherDimension, p = experts.outputStride
        guard n > 0 else { return 0 }
        var student = [Float](repeating: 0, count: n * ds), teacher = [Float](repeating: 0, count: n * p)
        teacherEgo.values.withUnsafeBufferPointer { source in
        student.withUnsafeMutableBufferPointer { student in
        teacher.withUnsafeMutableBufferPointer { teacher in
            for (r, row) in rows.tableRows.enumerated() {
                (student.baseAddress! + r * ds).update(from: ego + Int(row) * stride, count: ds)
                (teacher.baseAddress! + r * p).update(from: source.baseAddress! + Int(row) * teacherEgo.stride, count: dt)
            }
        }
        }
        }
        var studentGradient = [Float](repeating: 0, count: n * ds)
        let loss = networks.withBuffers { p, g in
            experts.accumulate(student: student, teacher: teacher, count: n, rowEntity: rows.rowEntity, rowWeight: rows.rowWeight,
                               parameters: p, parameterGradient: g, studentGradient: &studentGradient, random: &random)
        }
        for (r, row) in rows.tableRows.enumerated() {
            for c in 0..<ds { gradient[Int(row) * stride + c] += studentGradient[r * ds + c] }
        }
        return loss
    }
}

/// The rows of a DE loss: each names one of a set of distinct entities (users, or items) and carries a weight.
struct EntityRows {
    /// Added to an entity's id to get its row in the embedding tables (0 for users, the user count for items).
    let tableOffset: Int
    /// The distinct entities, in order of first appearance.
    private(set) var entities: [Int32] = []
    /// Each row's entity, as an index into `entities`.
    private(set) var rowEntity: [Int32] = []
    /// Each row's weight.
    private(set) var rowWeight: [Float] = []
    /// Per entity id, its index in `entities`, or -1.
    private var slot: [Int32]

    /// No rows yet, for entity ids in `0..<idCount`.
    init(idCount: Int, tableOffset: Int) {
        self.tableOffset = tableOffset
        slot = [Int32](repeating: -1, count: idCount)
    }

    /// Adds a row for `entity`.
    mutating func add(_ entity: Int, weight: Float) {
        if slot[entity] < 0 {
            slot[entity] = Int32(entities.count)
            entities.append(Int32(entity))
        }
        rowEntity.append(slot[entity])
        rowWeight.append(weight)
    }

    /// The distinct entities' rows in the embedding tables.
    var tableRows: [Int32] { entities.map { $0 + Int32(tableOffset) } }
}
