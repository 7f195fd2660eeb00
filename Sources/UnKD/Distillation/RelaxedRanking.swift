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
    /// `interestingStart[u] ..< interestingStart[u + 1]` indexes user u's interesting items.
    public let interestingStart: [Int]
    /// Interesting items, user after user, each user's in the teacher's rank order.
    public let interestingItems: [Int32]
    /// `uninterestingStart[u] ..< uninterestingStart[u + 1]` indexes user u's uninteresting items.
    public let uninterestingStart: [Int]
    /// Uninteresting items, user after user, in the order drawn.
    public let uninterestingItems: [Int32]

    /// User u's interesting items, best first.
    public func interesting(of user: Int) -> ArraySlice<Int32> {
        interestingItems[interestingStart[user]..<interestingStart[user + 1]]
    }

    /// User u's uninteresting items.
    public func uninteresting(of user: Int) -> ArraySlice<Int32> {
        uninterestingItems[uninterestingStart[user]..<uninterestingStart[user + 1]]
    }

    /// Draws every user's items from the teacher's ranking.
    ///
    /// - Parameters:
    ///   - teacher: the teacher's scored embeddings (users then items).
    /// - Complexity: one BLAS product and one top-`window` selection per user, O(U I d_t); then O(window) draws per
    ///   user.
    public init(teacher: EmbeddingTable, train: InteractionMatrix, window: Int, interesting: Int, uninteresting: Int,
                temperature: Double, seed: UInt64, blockSize: Int = 256) {
        let userCount = train.userCount, itemCount = train.itemCount
        let top = Self.teacherTopLists(teacher: teacher, train: train, window: window, blockSize: blockSize)
        var random = RandomSource.derived(seed: seed, "de-rrd/samples")
        var interestingStart = [0], interestingItems: [Int32] = []
        var uninterestingStart = [0], uninterestingItems: [Int32] = []
        var excluded = [Bool](repeating: false, count: itemCount)
        for user in 0..<userCount {
            let list = top[user]
            let positions = Self.rankPositions(length: list.count, count: interesting, temperature: temperature, random: &random)
            interestingItems.append(contentsOf: positions.map { list[$0] })
            interestingStart.append(interestingItems.count)

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
            uninterestingItems.append(contentsOf: drawn)
            uninterestingStart.append(uninterestingItems.count)
            for item in list { excluded[Int(item)] = false }
            for item in train.items(of: user) { excluded[Int(item)] = false }
            for item in drawn { excluded[Int(item)] = false }
        }
        self.userCount = userCount
        self.interestingStart = interestingStart
        self.interestingItems = interestingItems
        self.uninterestingStart = uninterestingStart
        self.uninterestingItems = uninterestingItems
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
    /// A user owning several rows of the batch has the same items in each: each distinct user is evaluated once and
    /// weighted by their number of rows.
    public static func accumulate(_ users: ArraySlice<Int32>, samples: RelaxedRankingSamples, final: UnsafePointer<Float>,
                                  gradient: UnsafeMutablePointer<Float>, stride: Int, userCount: Int, weight: Float,
                                  touched: inout [Int32]) -> Float {
        guard !users.isEmpty else { return 0 }
        var multiplicity = [Int32: Int]()
        var distinct: [Int32] = []
        for user in users {
            if let m = multiplicity[user] { multiplicity[user] = m + 1 } else {
                multiplicity[user] = 1
                distinct.append(user)
            }
        }
        var loss = 0.0
        var items: [Int32] = [], sigmoids: [Float] = [], exponentials: [Float] = []
        for user in distinct {
            let u = Int(user)
            let interesting = samples.interesting(of: u)
            guard !interesting.isEmpty else { continue }
            items = Array(interesting) + samples.uninteresting(of: u)
            let k = interesting.count
            let eu = final + u * stride
            sigmoids = items.map { sigmoid(VectorKernels.dot(eu, final + (userCount + Int($0)) * stride, stride: stride)) }
            exponentials = sigmoids.map { exp($0) }
            // tail_k = sum_{k' >= k} exp(S1_k') + sum_l exp(S2_l), from the back.
            var tail = exponentials[k...].reduce(0, +)
            var tails = [Float](repeating: 0, count: k)
            for p in (0..<k).reversed() {
                tail += exponentials[p]
                tails[p] = tail
            }
            var userLoss: Float = 0
            for p in 0..<k { userLoss += log(tails[p]) - sigmoids[p] }
            let scale = weight * Float(multiplicity[user]!) / Float(users.count)
            loss += Double(userLoss) * Double(multiplicity[user]!)
            // d l / d S1_p = -1 + exp(S1_p) sum_{k' <= p} 1/tail_k'; d l / d S2_l = exp(S2_l) sum_k' 1/tail_k'.
            var inverseTails: Float = 0
            for p in 0..<items.count {
                if p < k { inverseTails += 1 / tails[p] }
                let slope = (p < k ? -1 : 0) + exponentials[p] * inverseTails
                let coefficient = scale * slope * sigmoids[p] * (1 - sigmoids[p])
                let row = userCount + Int(items[p])
                VectorKernels.axpy(coefficient, final + row * stride, gradient + u * stride, stride: stride)
                VectorKernels.axpy(coefficient, eu, gradient + row * stride, stride: stride)
                touched.append(Int32(row))
            }
            touched.append(user)
        }
        return Float(loss / Double(users.count))
    }
}
