import Foundation

/// HTD's settings: the constants of the UnKD code, with the original HTD's alpha
/// (docs/differences.md#htds-alpha-and-loss-scale).
public struct HTDConfiguration: Codable, Hashable, Sendable {
    /// K, groups per side.
    public var groups: Int = 30
    /// Fixed Gumbel-softmax temperature of the group assignment.
    public var gumbelTemperature: Double = 0.1
    /// alpha in HTD = alpha TD + (1 - alpha) GA. The UnKD code defaults to 1, which leaves the assignment network
    /// untrained (docs/differences.md#htds-alpha-and-loss-scale); the original HTD uses 0.5.
    public var alpha: Double = 0.5
    /// kd_weight, the weight of HTD next to the BPR loss. HTD is a sum over O(N^2) pairs added to a mean BPR loss, so
    /// it needs a small weight, chosen per dataset in `DistillationDefaults` (1e-3 where none is chosen yet).
    public var weight: Double = 1e-3
    /// d_s, the student's embedding dimension, which shapes the group networks (the paper's students have 10).
    public var studentDimension: Int = 10
    /// Group networks run only for the groups an entity's Gumbel-softmax choice gives at least this weight. At
    /// temperature 0.1 the runner-up group often keeps more than 1e-6, but an entity still passes through only about
    /// 3.6 of the 30 groups on MovieLens-1M, so this saves most of the work. 0 runs every group for every entity,
    /// exactly as the official code does; 1e-6 changes GA's mixture by less than K x 1e-6 relative
    /// (docs/differences.md#htds-mixture-cutoff).
    public var mixtureCutoff: Double = 1e-6

    /// The UnKD code's constants with alpha = 0.5 and kd_weight = 1e-3.
    public init(groups: Int = 30, gumbelTemperature: Double = 0.1, alpha: Double = 0.5, weight: Double = 1e-3,
                studentDimension: Int = 10, mixtureCutoff: Double = 1e-6) {
        self.groups = groups
        self.gumbelTemperature = gumbelTemperature
        self.alpha = alpha
        self.weight = weight
        self.studentDimension = studentDimension
        self.mixtureCutoff = mixtureCutoff
    }
}

/// Hierarchical Topology Distillation (Kang et al., KDD 2021) as the UnKD code runs it, with its 'second' choice
/// (group-to-entity topology): the student learns the teacher's topology (`TopologyDistillation`, TD) within groups of
/// entities, the groups being learnt by group assignment (`GroupAssignment`, GA). On the batch's distinct users and
/// distinct items (positives and negatives), with the ego embeddings of student and teacher, as in the code:
///
///   HTD = alpha TD + (1 - alpha) GA,   total = base + kd_weight HTD.
///
/// PD-HTD (Table 4) is this term with a teacher trained with popularity deconfounding; it needs nothing else.
///
/// Deviations from the UnKD code: alpha defaults to 0.5, as in the original HTD (the code's 1.0 gives GA weight 0, so
/// the assignment networks keep their random initialisation: docs/differences.md#htds-alpha-and-loss-scale); with an
/// MF student the scoring is MF's (the code's HTD student is always a LightGCN:
/// docs/differences.md#de-rrd-and-htd-students-on-mf). The networks are trained by the HTD loss with their own Adam at
/// the student's learning rate, without L2, as in the code.
public final class HTDDistiller: DistillationTerm {
    /// The settings.
    public let configuration: HTDConfiguration
    /// The teacher's ego embeddings; frozen.
    public let teacherEgo: EmbeddingTable
    let userAssignment: GroupAssignment
    let itemAssignment: GroupAssignment
    /// The group networks' and assignment networks' parameters.
    var networks = NetworkParameters()
    private var noise: RandomSource
    /// Test hook: while set, every call draws the same Gumbel noise, reuses the student prototypes of the first call,
    /// and leaves the networks' parameters unchanged (their gradient stays readable in `networks`), so the loss is a
    /// fixed function of the student's embeddings.
    var holdsStep = false { didSet { heldPrototypes = nil } }
    private var heldPrototypes: [Float]?

    public var baseWeight: Float { 1 }

    /// The Gumbel noise's generator and the networks with their optimiser.
    public var trainingState: DistillationState {
        get { DistillationState(noise: noise, networks: networks) }
        set { newValue.restore(noise: &noise, networks: &networks) }
    }

    /// Sets up the networks (initialised like PyTorch's Linear) between the student's and the teacher's ego spaces.
    public init(configuration: HTDConfiguration, teacherEgo: EmbeddingTable, learningRate: Float, seed: UInt64) {
        self.configuration = configuration
        self.teacherEgo = teacherEgo
        let temperature = Float(configuration.gumbelTemperature)
        userAssignment = GroupAssignment(studentDimension: configuration.studentDimension, teacherDimension: teacherEgo.dimension,
                                         groups: configuration.groups, temperature: temperature, parameters: &networks)
        itemAssignment = GroupAssignment(studentDimension: configuration.studentDimension, teacherDimension: teacherEgo.dimension,
                                         groups: configuration.groups, temperature: temperature, parameters: &networks)
        var initialisation = RandomSource.derived(seed: seed, "htd/networks")
        networks.initialise(userAssignment.layers + itemAssignment.layers, learningRate: learningRate, random: &initialisation)
        noise = RandomSource.derived(seed: seed, "htd")
    }

    /// HTD samples nothing.
    public func beginEpoch(_ epoch: Int) {}

    /// HTD has no part on the scored embeddings.
    public func accumulate(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                           stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float { 0 }

    /// The networks' products are small, so they run on single-threaded BLAS (see `withSingleThreadedBLAS`).
    public func accumulateOnEgo(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float {
        BlockScoring.withSingleThreadedBLAS {
            accumulateNetworks(batch, ego: ego, gradient: gradient, stride: stride, userCount: userCount, touched: &touched)
        }
    }

    private func accumulateNetworks(_ batch: TrainingBatch, ego: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                    stride: Int, userCount: Int, touched: inout [Int32]) -> Float {
        let ds = configuration.studentDimension, dt = teacherEgo.dimension, k = configuration.groups
        precondition(stride == EmbeddingTable.stride(for: ds), "HTD was configured for students of dimension \(ds)")
        guard batch.count > 0 else { return 0 }
        let rows = Self.distinctRows(batch, userCount: userCount, itemCount: teacherEgo.rows - userCount)
        let n = rows.count, users = rows.prefix { Int($0) < userCount }.count
        var student = [Float](repeating: 0, count: n * ds), teacher = [Float](repeating: 0, count: n * dt)
        teacherEgo.values.withUnsafeBufferPointer { source in
            for (e, row) in rows.enumerated() {
                for c in 0..<ds { student[e * ds + c] = ego[Int(row) * stride + c] }
                for c in 0..<dt { teacher[e * dt + c] = source[Int(row) * teacherEgo.stride + c] }
            }
        }
        let alpha = Float(configuration.alpha), kd = Float(configuration.weight)
        var random = noise
        var studentGradient = [Float](repeating: 0, count: n * ds)
        networks.clearGradient()

        var groupAssignment = 0.0, groups = [Int32](repeating: 0, count: n)
        student.withUnsafeBufferPointer { student in
        teacher.withUnsafeBufferPointer { teacher in
        studentGradient.withUnsafeMutableBufferPointer { studentGradient in
        networks.withBuffers { p, g in
            for (side, range) in [(userAssignment, 0..<users), (itemAssignment, users..<n)] where !range.isEmpty {
                let s = student.baseAddress! + range.lowerBound * ds, t = teacher.baseAddress! + range.lowerBound * dt
                let a = side.probabilities(teacher: t, count: range.count, parameters: p)
                // TD's groups: the argmax of v, the users' in 0..<K and the items' in K..<2K.
                let offset = range.lowerBound == 0 ? 0 : k
                for e in range {
                    let first = (e - range.lowerBound) * k
                    var best = 0
                    for c in 1..<k where a[first + c] > a[first + best] { best = c }
                    groups[e] = Int32(offset + best)
                }
                if alpha < 1 {
                    // The Gumbel noise is drawn here, in entity order, so that the choices can be made on both cores.
                    let noiseBits = (0..<(range.count * k)).map { _ in random.gumbelBits() }
                    groupAssignment += side.accumulate(
                        student: s, teacher: t, count: range.count, probabilities: a, weight: kd * (1 - alpha),
                        cutoff: Float(configuration.mixtureCutoff), parameters: p, parameterGradient: g,
                        studentGradient: studentGradient.baseAddress! + range.lowerBound * ds, noise: noiseBits)
                }
            }
        }
        }
        }
        }
        var topology = 0.0
        if alpha > 0 {
            let prototypes = heldPrototypes ?? TopologyDistillation.prototypes(student, dimension: ds, groups: groups, groupCount: 2 * k)
            if holdsStep { heldPrototypes = prototypes }
            topology = TopologyDistillation.accumulate(
                student: student, studentDimension: ds, teacher: teacher, teacherDimension: dt, groups: groups,
                groupCount: 2 * k, studentPrototypes: prototypes, weight: kd * alpha, studentGradient: &studentGradient)
        }

        for (e, row) in rows.enumerated() {
            for c in 0..<ds { gradient[Int(row) * stride + c] += studentGradient[e * ds + c] }
        }
        touched.append(contentsOf: rows)
        if !holdsStep {
            networks.step()
            noise = random
        }
        return kd * Float(Double(alpha) * topology + Double(1 - alpha) * groupAssignment)
    }

    /// The batch's distinct users, ascending, then its distinct items (positives and negatives), ascending, as rows of
    /// the embedding tables.
    static func distinctRows(_ batch: TrainingBatch, userCount: Int, itemCount: Int) -> [Int32] {
        var seen = [Bool](repeating: false, count: userCount + itemCount)
        for user in batch.users { seen[Int(user)] = true }
        for item in batch.positives { seen[userCount + Int(item)] = true }
        for item in batch.negatives { seen[userCount + Int(item)] = true }
        return seen.indices.filter { seen[$0] }.map(Int32.init)
    }
}
