import Foundation

/// RD's settings: ranking distillation (Tang and Wang, KDD 2018) with the constants the UnKD repository codes as
/// constructor defaults, which differ from the original RD (K = 10, dynamic weights from epoch 10, no renormalisation;
/// see docs/differences.md#rds-convex-mixing-and-constants).
public struct RDConfiguration: Codable, Hashable, Sendable {
    /// K, the length of the teacher's top list distilled to each user.
    public var topCount: Int = 30
    /// lambda of the static position weights w_k ∝ exp(-k / lambda), k = 1...K.
    public var lambda: Double = 1
    /// mu, the slope of the dynamic weights tanh(mu * (estimated student rank - teacher position)).
    public var mu: Double = 0.1
    /// Items drawn per user and epoch to estimate the student's rank of each top item.
    public var dynamicSamples: Int = 100
    /// The first epoch (counted from 1) whose weights include the dynamic factor.
    public var dynamicStartEpoch: Int = 100
    /// Whether the product of static and dynamic weights is rescaled to sum to 1.
    public var renormalise: Bool = true
    /// kd, RD's share in the convex mix (1 - kd) * base + kd * RD. The official default 1 removes the BPR loss
    /// altogether (docs/differences.md#rds-convex-mixing-and-constants), so it is worth tuning below 1.
    public var weight: Double = 1

    /// The official constants (top 30, lambda 1, mu 0.1, 100 dynamic samples from epoch 100, renormalised, kd 1).
    public init(topCount: Int = 30, lambda: Double = 1, mu: Double = 0.1, dynamicSamples: Int = 100,
                dynamicStartEpoch: Int = 100, renormalise: Bool = true, weight: Double = 1) {
        self.topCount = topCount
        self.lambda = lambda
        self.mu = mu
        self.dynamicSamples = dynamicSamples
        self.dynamicStartEpoch = dynamicStartEpoch
        self.renormalise = renormalise
        self.weight = weight
    }

    /// The static weights of positions 1...K, exp(-k / lambda) normalised to sum to 1: the teacher's best items count
    /// most, and with lambda = 1 the first position alone carries 63% of the weight.
    public func staticWeights() -> [Float] {
        precondition(topCount >= 1, "RD needs a top list")
        let raw = (1...topCount).map { exp(-Double($0) / lambda) }
        let total = raw.reduce(0, +)
        return raw.map { Float($0 / total) }
    }
}

/// Ranking distillation: the teacher's top-K items of each user are treated as extra positives for the student,
/// weighted by their position in the teacher's list.
///
/// For each batch row with user u and each item i_k (k = 0..<K) of u's top list, the loss is
/// W_k * -log sigmoid(s(u, i_k)), averaged over the K positions and over the rows, and mixed convexly with the base
/// loss: (1 - kd) * (BPR + L2) + kd * RD. The top lists come from the teacher's scored embeddings, over the items the
/// user has not trained on, and are computed once.
///
/// Before epoch `dynamicStartEpoch` the weights are the static ones. From then on each is multiplied by a dynamic
/// factor max(0, tanh(mu * (r - k))), where r estimates the student's rank of i_k from fresh uniform samples of the
/// user's non-training items, so that items the student ranks far below the teacher's position get pushed harder;
/// the products are renormalised. As in the official code the factor only steers: it is computed from the current
/// scores but treated as a constant in the gradient.
///
/// A user with fewer than K candidate items keeps them all, with the first static weights, still averaged over K; the
/// official code would fill the list with training positives (scored -1e5), whose terms are simply left out here.
///
/// This is the top-list distillation UnKD argues against: a teacher trained on popularity-biased data ranks popular
/// items first, so its top lists, and with them the student, inherit the bias.
public final class RDDistiller: DistillationTerm {
    /// The settings.
    public let configuration: RDConfiguration
    /// User u's top list, best first, is `topItems[topStart[u] ..< topStart[u + 1]]`: K items, or all of the user's
    /// candidates if there are fewer.
    public let topStart: [Int]
    /// All top lists, one after another.
    public let topItems: [Int32]
    /// User u's dynamic samples of the current epoch are `dynamicItems[dynamicStart[u] ..< dynamicStart[u + 1]]`
    /// (none for a user with no candidate items).
    public let dynamicStart: [Int]
    /// The dynamic samples, drawn only for epochs that use them; empty before.
    public private(set) var dynamicItems: [Int32] = []
    private let train: InteractionMatrix
    private let staticWeights: [Float]
    private let dynamicFactors: DynamicFactors
    private var random: RandomSource
    private let workspace = PerUserWorkspace()

    /// 1 - kd: the base loss's share of the convex mix.
    public var baseWeight: Float { Float(1 - configuration.weight) }

    /// The dynamic sampler's generator (the samples are redrawn from it at the start of every epoch that uses them).
    public var trainingState: DistillationState {
        get { DistillationState(generators: [random.state]) }
        set { random = RandomSource(state: newValue.generators[0]) }
    }

    /// Prepares RD from a frozen teacher: every user's top-K list among the items they have not trained on.
    ///
    /// - Parameters:
    ///   - configuration: the method's settings.
    ///   - teacher: the teacher's scored embeddings (users then items).
    ///   - train: the training interactions, never candidates.
    ///   - seed: the seed of the dynamic samples.
    public init(configuration: RDConfiguration, teacher: EmbeddingTable, train: InteractionMatrix, seed: UInt64) {
        let userCount = train.userCount, itemCount = train.itemCount, k = configuration.topCount
        var lengths = [Int](repeating: 0, count: userCount)
        var items = [Int32](repeating: 0, count: userCount * k)
        lengths.withUnsafeMutableBufferPointer { lengths in
            items.withUnsafeMutableBufferPointer { items in
                ItemListDistillation.forEachUser(teacher: teacher, userCount: userCount, itemCount: itemCount) { user, scores in
                    var best: [Int32] = []
                    TopN.select(scores, count: itemCount, n: k, excluding: train.items(of: user), into: &best)
                    for (p, item) in best.enumerated() { items[user * k + p] = item }
                    lengths[user] = best.count
                }
            }
        }
        var topStart = [0], topItems: [Int32] = [], dynamicStart = [0]
        topItems.reserveCapacity(userCount * k)
        for user in 0..<userCount {
            topItems.append(contentsOf: items[(user * k)..<(user * k + lengths[user])])
            topStart.append(topItems.count)
            let hasCandidates = train.degree(of: user) < itemCount
            dynamicStart.append(dynamicStart[user] + (hasCandidates ? configuration.dynamicSamples : 0))
        }
        self.configuration = configuration
        self.topStart = topStart
        self.topItems = topItems
        self.dynamicStart = dynamicStart
        self.train = train
        self.staticWeights = configuration.staticWeights()
        self.dynamicFactors = DynamicFactors(mu: Float(configuration.mu), itemCount: itemCount)
        self.random = RandomSource.derived(seed: seed, "rd")
    }

    /// Redraws the dynamic samples when the epoch uses them (the official code redraws every epoch; the earlier draws
    /// are never read).
    public func beginEpoch(_ epoch: Int) {
        if epoch >= configuration.dynamicStartEpoch { redrawDynamicSamples() }
    }

    /// Draws every user's dynamic samples: uniform, with replacement, over the items the user has not trained on.
    public func redrawDynamicSamples() {
        let itemCount = train.itemCount
        var drawn = [Int32](repeating: 0, count: dynamicStart[train.userCount])
        for user in 0..<train.userCount {
            let positives = train.items(of: user)
            for s in dynamicStart[user]..<dynamicStart[user + 1] {
                drawn[s] = Self.nonPositive(random.below(itemCount - positives.count), positives: positives)
            }
        }
        dynamicItems = drawn
    }

    /// The item of index `t` among the items missing from the sorted list `positives`, in increasing order.
    ///
    /// That item is t + m, where m counts the positives below it, i.e. the positives p_j (j = 0, 1, ...) with
    /// p_j - j <= t; p_j - j never decreases, so m is found by binary search: an exact uniform draw from one random
    /// number, whatever the share of the catalogue the user has seen.
    static func nonPositive(_ t: Int, positives: ArraySlice<Int32>) -> Int32 {
        var low = positives.startIndex, high = positives.endIndex
        while low < high {
            let mid = (low + high) >> 1
            if Int(positives[mid]) - (mid - positives.startIndex) <= t { low = mid + 1 } else { high = mid }
        }
        return Int32(t + low - positives.startIndex)
    }

    /// max(0, tanh(mu d)) for every rank gap d = r - k that the dynamic weights can meet (r <= itemCount), looked up
    /// rather than computed: RD needs one at each position of each user at every step.
    struct DynamicFactors {
        private let values: [Float]

        /// The factors for gaps 0 ... itemCount.
        init(mu: Float, itemCount: Int) {
            values = (0...max(itemCount, 0)).map { max(0, tanh(mu * Float($0))) }
        }

        /// max(0, tanh(mu d)): zero for d <= 0.
        subscript(gap: Int) -> Float { gap <= 0 ? 0 : values[gap] }
    }

    /// The weights of one user's list from the dynamic epochs on, written into `weights`.
    ///
    /// For position k (0-based) n_k counts the samples the student scores above the top item, so
    /// r = floor((itemCount - 1) * n_k / samples) + 1 estimates the student's rank of it, and the dynamic factor is
    /// max(0, tanh(mu * (r - k))) (`factors`). The factor of position 0 is positive (r >= 1), so the renormalisation is
    /// defined.
    static func dynamicWeights(topScores: UnsafeMutableBufferPointer<Float>, sampleScores: UnsafeBufferPointer<Float>,
                               itemCount: Int, factors: DynamicFactors, staticWeights: UnsafePointer<Float>,
                               renormalise: Bool, into weights: UnsafeMutableBufferPointer<Float>) {
        let samples = sampleScores.count
        var total: Float = 0
        for k in 0..<topScores.count {
            var rank = 1
            if samples > 0 {
                let above = VectorKernels.countGreater(than: topScores[k], in: sampleScores.baseAddress!, count: samples)
                rank = (itemCount - 1) * above / samples + 1  // integer arithmetic: the floor of an exact quotient
            }
            let w = staticWeights[k] * factors[rank - k]
            weights[k] = w
            total += w
        }
        if renormalise && total > 0 {
            for k in 0..<topScores.count { weights[k] /= total }
        }
    }

    public func accumulate(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                           stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float {
        let dynamic = epoch >= configuration.dynamicStartEpoch
        if dynamic && dynamicItems.isEmpty { redrawDynamicSamples() }
        let kd = Float(configuration.weight), perPosition = 1 / Float(configuration.topCount)
        let factors = dynamicFactors, renormalise = configuration.renormalise, itemCount = train.itemCount
        let loss = staticWeights.withUnsafeBufferPointer { staticWeights in
            dynamicItems.withUnsafeBufferPointer { samples in
                ItemListDistillation.accumulate(
                    batch.users, listStart: topStart, items: topItems, final: final, gradient: gradient, stride: stride,
                    userCount: userCount, itemCount: itemCount, weight: kd, workspace: workspace, touched: &touched
                ) { user, scores in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * scores.count) { buffer in
                        let weights = UnsafeMutableBufferPointer(rebasing: buffer[0..<scores.count])
                        if dynamic {
                            let first = dynamicStart[user], count = dynamicStart[user + 1] - first
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { sampleScores in
                                ListKernels.scores(final + user * stride, count: count, plus: samples.baseAddress! + first,
                                                   minus: nil, rows: final + userCount * stride, stride: stride,
                                                   into: sampleScores.baseAddress!)
                                Self.dynamicWeights(topScores: scores, sampleScores: UnsafeBufferPointer(sampleScores),
                                                    itemCount: itemCount, factors: factors,
                                                    staticWeights: staticWeights.baseAddress!, renormalise: renormalise,
                                                    into: weights)
                            }
                        } else {
                            for k in 0..<scores.count { weights[k] = staticWeights[k] }
                        }
                        // Mean over the K positions of W_k * -log sigmoid(s_k); d/ds_k = -W_k * sigmoid(-s_k) / K.
                        let softplus = buffer.baseAddress! + scores.count, slope = softplus + scores.count
                        LogisticKernels.softplusAndSigmoidOfNegative(scores.baseAddress!, count: scores.count,
                                                                     softplus: softplus, sigmoid: slope)
                        var loss: Float = 0
                        for k in 0..<scores.count {
                            loss += weights[k] * softplus[k]
                            scores[k] = -weights[k] * slope[k] * perPosition
                        }
                        return loss * perPosition
                    }
                }
            }
        }
        return kd * loss
    }
}
