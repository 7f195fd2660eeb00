import Foundation

/// CD's settings: collaborative distillation (Lee et al., 2019) with the constants of the UnKD repository
/// (docs/differences.md#cds-rank-weights-and-fixed-draws).
public struct CDConfiguration: Codable, Hashable, Sendable {
    /// N, the length of the teacher's list the distillation items are drawn from.
    public var candidateCount: Int = 3000
    /// Tournaments, hence distillation items, per user (duplicates possible).
    public var itemsPerUser: Int = 50
    /// lambda of the position weights q_r = exp(-lambda * (r + 1) / N), r the 0-based position in the teacher's list.
    public var lambda: Double = 1.0 / 20
    /// t1, the temperature of the soft labels sigmoid((s_T + t2) / t1).
    public var temperature: Double = 2
    /// t2, the shift of the soft labels.
    public var shift: Double = 0
    /// kd, CD's weight next to the base loss: base + kd * CD.
    public var weight: Double = 1

    /// The official constants (top 3000, 50 items, lambda 1/20, t1 = 2, t2 = 0, kd 1).
    public init(candidateCount: Int = 3000, itemsPerUser: Int = 50, lambda: Double = 1.0 / 20, temperature: Double = 2,
                shift: Double = 0, weight: Double = 1) {
        self.candidateCount = candidateCount
        self.itemsPerUser = itemsPerUser
        self.lambda = lambda
        self.temperature = temperature
        self.shift = shift
        self.weight = weight
    }

    /// The unnormalised probability q_r of drawing 0-based position r. With the official constants this is
    /// exp(-(r + 1) / 60000): the last of the 3000 positions is still 95% as likely as the first
    /// (docs/differences.md#cds-rank-weights-and-fixed-draws).
    public func positionWeight(_ r: Int) -> Double { exp(-lambda * Double(r + 1) / Double(candidateCount)) }
}

/// Collaborative distillation: the student learns the teacher's soft labels on a few items per user sampled from the
/// teacher's top list, with a pointwise cross-entropy.
///
/// Once, at preparation, each user's candidates (the items they have not trained on) are ranked by the teacher's
/// scored embeddings and cut to the first N. Each of the user's distillation items is the better-ranked of two
/// positions drawn independently with probability ∝ q_r, so the kept position is the minimum of two draws; the
/// official code makes exactly `itemsPerUser` such tournaments, keeps duplicates, and never redraws
/// (docs/differences.md#cds-rank-weights-and-fixed-draws). Every item gets the soft label
/// w = sigmoid((s_T(u, i) + t2) / t1) from the teacher's raw inner product. For each batch row with user u the loss is
/// the mean over u's items of -[w log sigmoid(s) + (1 - w) log(1 - sigmoid(s))], s the student's score, and the total
/// is base + kd * CD.
///
/// PD-CD (paper Table 4) is this term with a teacher trained with `.popularityDeconfounded(alpha:)`: its raw inner
/// products, free of the popularity weights, give both the ranking and the soft labels.
///
/// Two departures from the code, neither of which matters in practice: a user with fewer than N candidates has a
/// shorter list rather than one padded with training positives (scored -1e10 there, so drawn only by users who have
/// trained on more than itemCount - N items), and the tournament keeps the better position, where the code keeps
/// the second draw when the two teacher scores are exactly equal.
public final class CDDistiller: DistillationTerm {
    /// The settings.
    public let configuration: CDConfiguration
    /// User u's distillation items are `items[itemStart[u] ..< itemStart[u + 1]]`: `itemsPerUser` of them, or none
    /// for a user with no candidate items.
    public let itemStart: [Int]
    /// The distillation items, fixed for the whole run.
    public let items: [Int32]
    /// Each item's 0-based position in its user's ranked candidate list.
    public let positions: [Int32]
    /// Each item's soft label sigmoid((s_T + t2) / t1).
    public let softLabels: [Float]
    private let itemCount: Int
    private let workspace = PerUserWorkspace()

    /// The base loss keeps its full weight.
    public var baseWeight: Float { 1 }

    /// Prepares CD from a frozen teacher: every user's tournaments over the teacher's top-N candidates and their soft
    /// labels.
    ///
    /// - Parameters:
    ///   - configuration: the method's settings.
    ///   - teacher: the teacher's scored embeddings (users then items).
    ///   - train: the training interactions, never candidates.
    ///   - seed: the seed of the tournaments.
    public init(configuration: CDConfiguration, teacher: EmbeddingTable, train: InteractionMatrix, seed: UInt64) {
        let userCount = train.userCount, itemCount = train.itemCount
        self.itemCount = itemCount
        // The positions are drawn first, user after user from one stream, so that they do not depend on how the
        // users are later spread over the cores; only as much of each ranking as they reach is then sorted.
        var random = RandomSource.derived(seed: seed, "cd")
        var itemStart = [0], positions: [Int32] = []
        var reached = [Int](repeating: 0, count: userCount)
        positions.reserveCapacity(userCount * configuration.itemsPerUser)
        for user in 0..<userCount {
            let length = min(configuration.candidateCount, itemCount - train.degree(of: user))
            if length > 0 {
                for _ in 0..<configuration.itemsPerUser {
                    let position = Self.keptPosition(length: length, configuration: configuration, &random)
                    positions.append(Int32(position))
                    reached[user] = max(reached[user], position + 1)
                }
            }
            itemStart.append(positions.count)
        }
        var items = [Int32](repeating: 0, count: positions.count)
        var softLabels = [Float](repeating: 0, count: positions.count)
        let t1 = Float(configuration.temperature), t2 = Float(configuration.shift)
        items.withUnsafeMutableBufferPointer { items in
            softLabels.withUnsafeMutableBufferPointer { labels in
                ItemListDistillation.forEachUser(teacher: teacher, userCount: userCount, itemCount: itemCount) { user, scores in
                    guard reached[user] > 0 else { return }
                    let positives = train.items(of: user)
                    var candidates: [(Float, Int32)] = []
                    candidates.reserveCapacity(itemCount - positives.count)
                    var next = positives.startIndex
                    for i in 0..<itemCount {
                        if next < positives.endIndex && Int(positives[next]) == i {
                            next += 1
                            continue
                        }
                        candidates.append((scores[i], Int32(i)))
                    }
                    let ranked = TeacherRanking.best(&candidates, count: reached[user])
                    for s in itemStart[user]..<itemStart[user + 1] {
                        let item = ranked[Int(positions[s])]
                        items[s] = item
                        labels[s] = sigmoid((scores[Int(item)] + t2) / t1)
                    }
                }
            }
        }
        self.configuration = configuration
        self.itemStart = itemStart
        self.items = items
        self.positions = positions
        self.softLabels = softLabels
    }

    /// One tournament over a list of `length` positions: the better (smaller) of two independent draws, each with
    /// probability ∝ q_r (the same truncated geometric law as UnKD's ranks, with log q = -lambda / N).
    static func keptPosition(length: Int, configuration: CDConfiguration, _ random: inout RandomSource) -> Int {
        let logQ = -configuration.lambda / Double(configuration.candidateCount)
        let mass = -expm1(logQ * Double(length))
        let a = UnKDDistiller.truncatedGeometric(logQ: logQ, mass: mass, length: length, &random)
        let b = UnKDDistiller.truncatedGeometric(logQ: logQ, mass: mass, length: length, &random)
        return min(a, b)
    }

    /// The samples are drawn once, at preparation.
    public func beginEpoch(_ epoch: Int) {}

    public func accumulate(_ batch: TrainingBatch, final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                           stride: Int, userCount: Int, epoch: Int, touched: inout [Int32]) -> Float {
        let kd = Float(configuration.weight)
        let loss = softLabels.withUnsafeBufferPointer { labels in
            ItemListDistillation.accumulate(
                batch.users, listStart: itemStart, items: items, final: final, gradient: gradient, stride: stride,
                userCount: userCount, itemCount: itemCount, weight: kd, workspace: workspace, touched: &touched
            ) { user, scores in
                let first = itemStart[user], count = scores.count, perItem = 1 / Float(count)
                return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * count) { buffer in
                    let softplusOfNegative = buffer.baseAddress!, sigmoidOfNegative = softplusOfNegative + count
                    LogisticKernels.softplusAndSigmoidOfNegative(scores.baseAddress!, count: count,
                                                                 softplus: softplusOfNegative, sigmoid: sigmoidOfNegative)
                    var loss: Float = 0
                    for p in 0..<count {
                        let s = scores[p], w = labels[first + p]
                        // -[w log sigmoid(s) + (1 - w) log sigmoid(-s)] = softplus(-s) + (1 - w) s, whose derivative is
                        // sigmoid(s) - w. The official 1e-10 inside the logarithms only matters once a sigmoid underflows.
                        loss += softplusOfNegative[p] + (1 - w) * s
                        scores[p] = (1 - sigmoidOfNegative[p] - w) * perItem
                    }
                    return loss * perItem
                }
            }
        }
        return kd * loss
    }
}
