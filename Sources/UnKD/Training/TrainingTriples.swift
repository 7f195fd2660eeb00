/// One epoch of BPR training rows: every training interaction (u, i+) once, each with a negative i- drawn uniformly
/// from the items u has not interacted with, in shuffled order.
///
/// The negatives are redrawn every epoch, as in the official code.
public struct TrainingTriples: Sendable {
    /// Users of the rows.
    public var users: [Int32]
    /// Positive items.
    public var positives: [Int32]
    /// Negative items.
    public var negatives: [Int32]

    /// Number of rows.
    public var count: Int { users.count }

    /// Draws an epoch's rows from `train`.
    ///
    /// - Complexity: O(n log d) expected, n the training interactions, d the largest user degree (rejection sampling
    ///   with binary-search membership; users who have seen most of the catalogue are the slow case).
    public static func draw(_ train: InteractionMatrix, random: inout RandomSource) -> TrainingTriples {
        let n = train.interactionCount, itemCount = train.itemCount, userCount = train.userCount
        var users = [Int32](repeating: 0, count: n)
        var positives = train.columns  // row k of the CSR is (owner of k, columns[k])
        var negatives = [Int32](repeating: 0, count: n)
        // Negatives are drawn in a fixed number of user blocks, each with its own stream derived from this epoch's
        // seed, so the draws are the same whatever the number of cores that share the blocks.
        let epochSeed = random.next()
        let blocks = 16
        users.withUnsafeMutableBufferPointer { users in
            negatives.withUnsafeMutableBufferPointer { negatives in
                let users = users.baseAddress!, negatives = negatives.baseAddress!
                Parallel.forEachChunk(blocks, minimumChunk: 1) { range in
                    for block in range {
                        var stream = RandomSource(seed: epochSeed ^ (UInt64(block + 1) &* 0x9e37_79b9_7f4a_7c15))
                        for u in (userCount * block / blocks)..<(userCount * (block + 1) / blocks) {
                            let seen = train.items(of: u)
                            precondition(seen.count < itemCount || seen.isEmpty, "user \(u) has interacted with every item")
                            for row in train.rowStart[u]..<train.rowStart[u + 1] {
                                var negative: Int32
                                repeat { negative = Int32(stream.below(itemCount)) } while RankingMetrics.contains(seen, negative)
                                users[row] = Int32(u)
                                negatives[row] = negative
                            }
                        }
                    }
                }
            }
        }
        // Shuffle the rows together (Fisher-Yates on the three arrays).
        var i = n
        while i > 1 {
            let j = random.below(i)
            i -= 1
            users.swapAt(i, j); positives.swapAt(i, j); negatives.swapAt(i, j)
        }
        return TrainingTriples(users: users, positives: positives, negatives: negatives)
    }
}
