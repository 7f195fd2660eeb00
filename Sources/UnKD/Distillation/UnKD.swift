import Foundation

/// UnKD's settings (paper §3.2), with the official code's constants as defaults (see
/// docs/differences.md#unkds-pair-allocation-and-rounding and docs/differences.md#unkds-mu-and-list-cap).
public struct UnKDConfiguration: Codable, Hashable, Sendable {
    /// K, the number of popularity groups the items are stratified into (the paper finds about 4 best).
    public var groups: Int = 4
    /// Pairs per user per epoch, summed over the groups (the paper's "number of soft labels", 30 or 40).
    public var pairsPerUser: Int = 30
    /// mu of the rank-aware sampling distribution p(rank) ∝ exp(-rank / mu).
    public var mu: Double = 20
    /// Longest teacher list kept per user and group.
    public var listCap: Int = 1000
    /// lambda, the weight of the distillation loss next to BPR.
    public var weight: Double = 1
    /// What becomes of a pair whose ranks were drawn worse first (see `ReversedPairs`).
    public var reversedPairs: ReversedPairs = .ordered

    /// The official defaults (K = 4, 30 pairs, mu = 20, cap 1000, lambda = 1), with every pair put in rank order.
    public init(groups: Int = 4, pairsPerUser: Int = 30, mu: Double = 20, listCap: Int = 1000, weight: Double = 1,
                reversedPairs: ReversedPairs = .ordered) {
        self.groups = groups
        self.pairsPerUser = pairsPerUser
        self.mu = mu
        self.listCap = listCap
        self.weight = weight
        self.reversedPairs = reversedPairs
    }

    private enum CodingKeys: String, CodingKey { case groups, pairsPerUser, mu, listCap, weight, reversedPairs }

    /// Reads a configuration; one without `reversedPairs` orders its pairs.
    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        self.init(groups: try values.decode(Int.self, forKey: .groups),
                  pairsPerUser: try values.decode(Int.self, forKey: .pairsPerUser),
                  mu: try values.decode(Double.self, forKey: .mu), listCap: try values.decode(Int.self, forKey: .listCap),
                  weight: try values.decode(Double.self, forKey: .weight),
                  reversedPairs: try values.decodeIfPresent(ReversedPairs.self, forKey: .reversedPairs) ?? .ordered)
    }

    /// Writes `reversedPairs` only when it is not `.ordered`, so that the experiments of ordered pairs keep the
    /// encoding, and with it the result keys, they had before the setting existed.
    public func encode(to encoder: Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(groups, forKey: .groups)
        try values.encode(pairsPerUser, forKey: .pairsPerUser)
        try values.encode(mu, forKey: .mu)
        try values.encode(listCap, forKey: .listCap)
        try values.encode(weight, forKey: .weight)
        if reversedPairs != .ordered { try values.encode(reversedPairs, forKey: .reversedPairs) }
    }

    /// Pairs drawn per group: an equal share, rounded half to even, with any shortfall given one pair at a time to the
    /// first groups, as the official code does (so 30 pairs over K = 4 groups is 8 + 8 + 8 + 8 = 32, over K = 7 it is
    /// 5, 5, 4, 4, 4, 4, 4).
    public func pairsPerGroup(_ k: Int) -> [Int] {
        let share = (Double(pairsPerUser) / Double(k)).rounded(.toNearestOrEven)
        var counts = [Int](repeating: Int(share), count: k)
        let shortfall = pairsPerUser - counts.reduce(0, +)
        for g in 0..<max(0, shortfall) { counts[g] += 1 }
        return counts
    }
}

/// What becomes of an UnKD pair whose two ranks were drawn in reverse order, the worse-ranked item first (half of the
/// pairs: the two ranks are drawn independently and redrawn when equal).
///
/// See docs/differences.md#unkds-reversed-pairs.
public enum ReversedPairs: String, Codable, Hashable, Sendable, CaseIterable {
    /// The two items are put in rank order, so every pair ranks a better item above a worse one (the paper's method).
    case ordered
    /// As the official code does: its swap keeps the first item through a view of the tensor it then overwrites, so
    /// the pair becomes the better-ranked item twice. Such a pair adds the constant log 2 to the loss and nothing to
    /// the gradient, so on average half of the pairs teach and the term's gradient is half as large.
    case collapsed
}

/// Unbiased knowledge distillation: the student learns the teacher's ranking *within* groups of items of similar
/// popularity, never across them.
///
/// Items are split into K groups of equal total popularity. For each user and group the teacher ranks the user's
/// candidate items once (`TeacherRanking`). At the start of every epoch each user draws pairs of ranks (a, b) in each
/// group, each rank with probability ∝ exp(-rank / mu) and a ≠ b; the better-ranked item of the pair is the positive.
/// Because both items of a pair have about the same popularity, the teacher's preference between them says little
/// about popularity and much about the user. The student is trained on these pairs with a BPR-style loss,
/// -log sigmoid(s(u, i+) - s(u, i-)), averaged over the user's pairs and over the batch rows, weighted by lambda and
/// added to the ordinary BPR loss.
///
/// As in the official code, the distillation term is looked up per BPR row, so a user contributes in proportion to
/// their number of training interactions; a user with fewer than two candidates in a group skips that group (the
/// official code loops forever there; see docs/differences.md#users-with-fewer-than-two-candidates-in-a-group).
public final class UnKDDistiller: DistillationTerm {
    /// The settings.
    public let configuration: UnKDConfiguration
    /// The groups used for stratification.
    public let groups: PopularityGroups
    /// The teacher's per-group rankings.
    public let ranking: TeacherRanking
    /// Pairs of the current epoch: user u's pairs are `pairStart[u] ..< pairStart[u + 1]`.
    public private(set) var pairStart: [Int] = []
    /// Positive (better-ranked) item of each pair.
    public private(set) var pairPositives: [Int32] = []
    /// Negative item of each pair.
    public private(set) var pairNegatives: [Int32] = []
    private var random: RandomSource
    private let perGroup: [Int]
    private let workspace = PerUserWorkspace()

    public var baseWeight: Float { 1 }

    /// The pair sampler's generator (the samples themselves are redrawn from it at the start of every epoch).
    public var trainingState: DistillationState {
        get { DistillationState(generators: [random.state]) }
        set { random = RandomSource(state: newValue.generators[0]) }
    }

    /// Prepares UnKD from a frozen teacher: the groups of the training popularity and the teacher's rankings.
    public init(configuration: UnKDConfiguration, teacher: EmbeddingTable, train: InteractionMatrix, seed: UInt64) {
        self.configuration = configuration
        self.groups = PopularityGroups(train: train, groupCount: configuration.groups)
        self.ranking = TeacherRanking(teacher: teacher, userCount: train.userCount, train: train, groups: groups,
                                      cap: configuration.listCap)
        self.perGroup = configuration.pairsPerGroup(groups.count)
        self.random = RandomSource.derived(seed: seed, "unkd-pairs")
    }

    public func beginEpoch(_ epoch: Int) { resample() }

    /// Draws every user's pairs for a new epoch.
    public func resample() {
        let q = exp(-1 / configuration.mu), logQ = -1 / configuration.mu
        var start = [0], positives: [Int32] = [], negatives: [Int32] = []
        positives.reserveCapacity(ranking.userCount * perGroup.reduce(0, +))
        negatives.reserveCapacity(positives.capacity)
        for user in 0..<ranking.userCount {
            for (g, count) in perGroup.enumerated() {
                let list = ranking.list(user: user, group: g)
                guard list.count >= 2 else { continue }
                let mass = 1 - pow(q, Double(list.count))
                for _ in 0..<count {
                    var a = 0, b = 0
                    repeat {
                        a = Self.truncatedGeometric(logQ: logQ, mass: mass, length: list.count, &random)
                        b = Self.truncatedGeometric(logQ: logQ, mass: mass, length: list.count, &random)
                    } while a == b
                    let better = min(a, b), worse = max(a, b)
                    let collapses = a > b && configuration.reversedPairs == .collapsed
                    positives.append(list[list.startIndex + better])
                    negatives.append(list[list.startIndex + (collapses ? better : worse)])
                }
            }
            start.append(positives.count)
        }
        pairStart = start
        pairPositives = positives
        pairNegatives = negatives
    }

    /// A rank r in 0..<length with probability ∝ q^r (q = exp(-1/mu)), by inverting the distribution function.
    ///
    /// The official weights exp(-(r + 1)/mu) differ from q^r by a constant factor, so the distribution is the same.
    /// - Parameters:
    ///   - logQ: log q = -1 / mu.
    ///   - mass: 1 - q^length, the distribution's total before normalisation (times 1 - q).
    @inline(__always)
    static func truncatedGeometric(logQ: Double, mass: Double, length: Int, _ random: inout RandomSource) -> Int {
        let r = Int((log(1 - random.unit() * mass) / logQ).rounded(.down))
        return min(max(r, 0), length - 1)
    }

    public func accumulate(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                           stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float {
        if pairStart.isEmpty { resample() }
        let loss = PairwiseDistillation.accumulate(
            batch.users, pairStart: pairStart, positives: pairPositives, negatives: pairNegatives,
            final: final, gradient: gradient, stride: stride, userCount: userCount, itemCount: groups.groupOfItem.count,
            weight: Float(configuration.weight), workspace: workspace, touched: &touched)
        return Float(configuration.weight) * loss
    }
}

/// The pairwise distillation loss of a batch: for each batch row with user u, the mean over u's pairs (i+, i-) of
/// softplus(-(s(u, i+) - s(u, i-))), then the mean over the rows; and its gradient.
public enum PairwiseDistillation {
    /// Adds `weight` x the gradient into `gradient`, appends touched rows, returns the unweighted loss. Each distinct
    /// user's pairs are evaluated once (`PerUserDistillation`).
    public static func accumulate(_ users: ArraySlice<Int32>, pairStart: [Int], positives: [Int32], negatives: [Int32],
                                  final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, stride: Int,
                                  userCount: Int, itemCount: Int, weight: Float, workspace: PerUserWorkspace,
                                  touched: inout [Int32]) -> Float {
        positives.withUnsafeBufferPointer { positive in
        negatives.withUnsafeBufferPointer { negative in
            PerUserDistillation.accumulate(
                users, listStart: pairStart, entryItems: [positives, negatives], userCount: userCount,
                itemCount: itemCount, itemGradient: gradient + userCount * stride, stride: stride,
                workPerEntry: 6 * stride, workspace: workspace, touched: &touched
            ) { u, first, count, share, c, itemGradient in
                let eu = final + u * stride, itemRows = final + userCount * stride
                let plus = positive.baseAddress! + first, minus = negative.baseAddress! + first
                ListKernels.scores(eu, count: count, plus: plus, minus: minus, rows: itemRows, stride: stride, into: c)
                let scale = share / Float(count)
                let userLoss = LogisticKernels.bprLossAndSlopes(c, count: count, scale: scale * weight)
                ListKernels.backward(eu, c, count: count, plus: plus, minus: minus, rows: itemRows, stride: stride,
                                     userGradient: gradient + u * stride, itemGradient: itemGradient)
                return userLoss * scale
            }
        }
        }
    }
}
