import Foundation

/// The items Relaxed Ranking Distillation (RRD, the "RRD" of DE-RRD) trains each user on, drawn once from the teacher.
///
/// For user u the teacher ranks the items u has not trained on; of its top `window` (100), `interesting` (20) distinct
/// positions r are drawn with probability ∝ exp(-(r + 1) / temperature) and kept in the teacher's order; then
/// `uninteresting` (20) items are drawn uniformly, without replacement, from the items outside that window and outside
/// u's training items. As in the UnKD code this happens once, before training, and is never refreshed (the original
/// DE-RRD redraws every epoch). A user with too few candidates gets fewer items.
public struct RelaxedRankingSamples: Sendable {
    /// Number of users.
    public let userCount: Int
    /// `listStart[u] ..< listStart[u + 1]` indexes user u's list in `listItems`: the interesting items, then the
    /// uninteresting ones.
    public let listStart: [Int]
    /// Every user's list, user after user: interesting items in the teacher's rank order, then uninteresting items
    /// in the order drawn.
    public let listItems: [Int32]
    /// How many of each user's list are interesting.
    public let interestingCount: [Int]

    /// User u's interesting items, best first.
    public func interesting(of user: Int) -> ArraySlice<Int32> {
        listItems[listStart[user]..<(listStart[user] + interestingCount[user])]
    }

    /// User u's uninteresting items.
    public func uninteresting(of user: Int) -> ArraySlice<Int32> {
        listItems[(listStart[user] + interestingCount[user])..<listStart[user + 1]]
    }

    /// Draws every user's items from the teacher's ranking.
    ///
    /// - Parameters:
    ///   - teacher: the teacher's scored embeddings (users then items).
    ///   - train: the training interactions, never sampled.
    ///   - window: the length of the teacher's top list the interesting items are drawn from.
    ///   - interesting: interesting items per user, drawn from the window by rank.
    ///   - uninteresting: uninteresting items per user, drawn uniformly from outside the window.
    ///   - temperature: the rank temperature of the interesting items' draw.
    ///   - seed: the seed of the draws.
    ///   - blockSize: users scored per BLAS product.
    /// - Complexity: one BLAS product and one top-`window` selection per user, O(U I d_t); then O(window) draws per
    ///   user.
    public init(teacher: EmbeddingTable, train: InteractionMatrix, window: Int, interesting: Int, uninteresting: Int,
                temperature: Double, seed: UInt64, blockSize: Int = 256) {
        let userCount = train.userCount, itemCount = train.itemCount
        let top = Self.teacherTopLists(teacher: teacher, train: train, window: window, blockSize: blockSize)
        var random = RandomSource.derived(seed: seed, "de-rrd/samples")
        var listStart = [0], listItems: [Int32] = [], interestingCount: [Int] = []
        var excluded = [Bool](repeating: false, count: itemCount)
        for user in 0..<userCount {
            let list = top[user]
            let positions = Self.rankPositions(length: list.count, count: interesting, temperature: temperature, random: &random)
            listItems.append(contentsOf: positions.map { list[$0] })
            interestingCount.append(positions.count)

            for item in list { excluded[Int(item)] = true }
            for item in train.items(of: user) { excluded[Int(item)] = true }
            let available = itemCount - list.count - train.degree(of: user)
            var drawn: [Int32] = []
            if available <= 2 * uninteresting {
                let candidates = (0..<itemCount).filter { !excluded[$0] }.map(Int32.init)
                drawn = random.sample(candidates, count: min(uninteresting, candidates.count))
            } else {
                while drawn.count < uninteresting {
                    let item = random.below(itemCount)
                    guard !excluded[item] else { continue }
                    excluded[item] = true
                    drawn.append(Int32(item))
                }
            }
            listItems.append(contentsOf: drawn)
            listStart.append(listItems.count)
            for item in list { excluded[Int(item)] = false }
            for item in train.items(of: user) { excluded[Int(item)] = false }
            for item in drawn { excluded[Int(item)] = false }
        }
        self.userCount = userCount
        self.listStart = listStart
        self.listItems = listItems
        self.interestingCount = interestingCount
    }

    /// `count` distinct positions of `0..<length`, ascending, drawn one after another without replacement with
    /// probability ∝ exp(-(r + 1) / temperature), as `torch.multinomial` without replacement does.
    ///
    /// By the Gumbel top-k trick: the positions with the `count` largest log-weight + standard Gumbel noise are such
    /// draws, and take one pass and a sort instead of `count` renormalisations.
    public static func rankPositions(length: Int, count: Int, temperature: Double, random: inout RandomSource) -> [Int] {
        var keys = (0..<length).map { (-Double($0 + 1) / temperature + random.gumbel(), $0) }
        keys.sort { $0.0 > $1.0 }
        return keys.prefix(count).map(\.1).sorted()
    }

    /// Every user's `window` best items by teacher score among those not in their training items, best first.
    public static func teacherTopLists(teacher: EmbeddingTable, train: InteractionMatrix, window: Int,
                                       blockSize: Int = 256) -> [[Int32]] {
        let userCount = train.userCount, itemCount = train.itemCount
        var lists = [[Int32]](repeating: [], count: userCount)
        var scores = [Float](repeating: 0, count: blockSize * itemCount)
        teacher.values.withUnsafeBufferPointer { table in
            var first = 0
            while first < userCount {
                let size = min(blockSize, userCount - first), blockFirst = first
                scores.withUnsafeMutableBufferPointer { block in
                    BlockScoring.scores(users: table.baseAddress!, firstUser: first, blockSize: size,
                                        items: table.baseAddress!, firstItem: userCount, itemCount: itemCount,
                                        stride: teacher.stride, into: block.baseAddress!)
                    let block = UnsafePointer(block.baseAddress!)
                    lists.withUnsafeMutableBufferPointer { out in
                        Parallel.forEachChunk(size, minimumChunk: 16) { range in
                            var best: [Int32] = []
                            for b in range {
                                let user = blockFirst + b
                                TopN.select(block + b * itemCount, count: itemCount, n: window,
                                            excluding: train.items(of: user), into: &best)
                                out[user] = best
                            }
                        }
                    }
                }
                first += size
            }
        }
        return lists
    }
}

/// The RRD loss of a batch and its gradient with respect to the student's scored embeddings.
///
/// For a batch row with user u, interesting items i_1..i_K (teacher's order) and uninteresting items j_1..j_L, with the
/// student's scores passed through a sigmoid as in the UnKD code, S1_k = sigmoid(s(u, i_k)), S2_l = sigmoid(s(u, j_l)):
///
///   l_u = -sum_k [ S1_k - log( sum_{k' >= k} exp(S1_k') + sum_l exp(S2_l) ) ],
///
/// the likelihood of the teacher's order of the interesting items under a Plackett-Luce model, each of them ranked
/// above every uninteresting item, whose order is left free. The loss is the mean over batch rows, so a user counts once
/// per training interaction in the batch.
public enum RelaxedRankingLoss {
    /// Adds `weight` x the gradient into `gradient`, appends touched rows, and returns the unweighted mean loss.
    ///
    /// It is a loss of each user's fixed item list, so `ItemListDistillation` evaluates it (each distinct user of the
    /// batch once, weighted by their number of rows, over both cores).
    public static func accumulate(_ users: ArraySlice<Int32>, samples: RelaxedRankingSamples, final: UnsafePointer<Float>,
                                  gradient: UnsafeMutablePointer<Float>, stride: Int, userCount: Int, itemCount: Int,
                                  weight: Float, workspace: PerUserWorkspace, touched: inout [Int32]) -> Float {
        let interestingCount = samples.interestingCount
        return ItemListDistillation.accumulate(users, listStart: samples.listStart, items: samples.listItems, final: final,
                                               gradient: gradient, stride: stride, userCount: userCount,
                                               itemCount: itemCount, weight: weight, workspace: workspace,
                                               touched: &touched) { u, scores in
            let k = interestingCount[u], count = scores.count
            guard k > 0 else {
                scores.update(repeating: 0)
                return 0
            }
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * count) { buffer in
                let sigmoids = buffer.baseAddress!, exponentials = sigmoids + count, tails = exponentials + count
                for p in 0..<count {
                    sigmoids[p] = sigmoid(scores[p])
                    exponentials[p] = exp(sigmoids[p])
                }
                // tail_k = sum_{k' >= k} exp(S1_k') + sum_l exp(S2_l), from the back.
                var tail: Float = 0
                for p in k..<count { tail += exponentials[p] }
                for p in (0..<k).reversed() {
                    tail += exponentials[p]
                    tails[p] = tail
                }
                var userLoss: Float = 0
                for p in 0..<k { userLoss += log(tails[p]) - sigmoids[p] }
                // d l / d S1_p = -1 + exp(S1_p) sum_{k' <= p} 1/tail_k'; d l / d S2_l = exp(S2_l) sum_k' 1/tail_k';
                // then through the sigmoid to the score.
                var inverseTails: Float = 0
                for p in 0..<count {
                    if p < k { inverseTails += 1 / tails[p] }
                    let slope = (p < k ? -1 : 0) + exponentials[p] * inverseTails
                    scores[p] = slope * sigmoids[p] * (1 - sigmoids[p])
                }
                return userLoss
            }
        }
    }
}
