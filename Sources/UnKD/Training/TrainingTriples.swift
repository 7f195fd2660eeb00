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
    /// Buffers for the shuffle, kept so that redrawing every epoch allocates nothing.
    private var scratchUsers: [Int32] = [], scratchPositives: [Int32] = [], scratchNegatives: [Int32] = []

    /// Rows given explicitly (for tests and tools).
    public init(users: [Int32], positives: [Int32], negatives: [Int32]) {
        self.users = users
        self.positives = positives
        self.negatives = negatives
    }

    /// Draws an epoch's rows from `train` (see `redraw`).
    public static func draw(_ train: InteractionMatrix, random: inout RandomSource) -> TrainingTriples {
        var triples = TrainingTriples(users: [], positives: [], negatives: [])
        triples.redraw(from: train, random: &random)
        return triples
    }

    /// Draws an epoch's rows from `train`.
    ///
    /// - Complexity: O(n log d) expected, n the training interactions, d the largest user degree (rejection sampling
    ///   with binary-search membership; users who have seen most of the catalogue are the slow case).
    public mutating func redraw(from train: InteractionMatrix, random: inout RandomSource) {
        let n = train.interactionCount, itemCount = train.itemCount, userCount = train.userCount
        if scratchUsers.count != n {
            scratchUsers = [Int32](repeating: 0, count: n)
            scratchPositives = scratchUsers
            scratchNegatives = scratchUsers
            users = scratchUsers
            positives = scratchUsers
            negatives = scratchUsers
        }
        // Rows are first laid out in CSR order: row k is (owner of k, columns[k], a fresh negative).
        positives.withUnsafeMutableBufferPointer { p in
            train.columns.withUnsafeBufferPointer { p.baseAddress!.update(from: $0.baseAddress!, count: n) }
        }
        // Negatives are drawn in a fixed number of user blocks, each with its own stream derived from this epoch's
        // seed, so the draws are the same whatever the number of cores that share the blocks.
        let epochSeed = random.next()
        let blocks = 16
        users.withUnsafeMutableBufferPointer { users in
            negatives.withUnsafeMutableBufferPointer { negatives in
                let users = users.baseAddress!, negatives = negatives.baseAddress!
                Parallel.forEachChunk(blocks, minimumChunk: 1) { range in
                    // The user's items as a bit set, so each rejection test is one load.
                    var seenBits = [UInt64](repeating: 0, count: (itemCount + 63) / 64)
                    for block in range {
                        var stream = RandomSource(seed: epochSeed ^ (UInt64(block + 1) &* 0x9e37_79b9_7f4a_7c15))
                        for u in (userCount * block / blocks)..<(userCount * (block + 1) / blocks) {
                            let seen = train.items(of: u)
                            precondition(seen.count < itemCount || seen.isEmpty, "user \(u) has interacted with every item")
                            for item in seen { seenBits[Int(item) >> 6] |= 1 << UInt64(item & 63) }
                            for row in train.rowStart[u]..<train.rowStart[u + 1] {
                                var negative: Int
                                repeat { negative = stream.below(itemCount) } while seenBits[negative >> 6] & (1 << UInt64(negative & 63)) != 0
                                users[row] = Int32(u)
                                negatives[row] = Int32(negative)
                            }
                            for item in seen { seenBits[Int(item) >> 6] = 0 }
                        }
                    }
                }
            }
        }
        // Shuffle the rows together. Each half is shuffled on its own core (Fisher-Yates), then the halves are
        // riffled by a uniformly random interleaving; together that is a uniform random permutation, and the
        // sequential merge costs far less than random swaps over the whole arrays.
        let half = n / 2
        let halfSeeds = [random.next(), random.next()]
        users.withUnsafeMutableBufferPointer { u in
            positives.withUnsafeMutableBufferPointer { p in
                negatives.withUnsafeMutableBufferPointer { q in
                    let u = u.baseAddress!, p = p.baseAddress!, q = q.baseAddress!
                    let parallel = Parallel.chunks(forWork: n) > 1
                    Parallel.run(chunks: parallel ? 2 : 1) { chunk in
                        for side in (parallel ? chunk...chunk : 0...1) {
                            var stream = RandomSource(seed: halfSeeds[side])
                            let base = side == 0 ? 0 : half, count = side == 0 ? half : n - half
                            var i = count
                            while i > 1 {
                                let j = base + stream.below(i)
                                i -= 1
                                swap(&u[base + i], &u[j]); swap(&p[base + i], &p[j]); swap(&q[base + i], &q[j])
                            }
                        }
                    }
                }
            }
        }
        var a = 0, b = half
        users.withUnsafeBufferPointer { u in
            positives.withUnsafeBufferPointer { p in
                negatives.withUnsafeBufferPointer { q in
                    scratchUsers.withUnsafeMutableBufferPointer { su in
                        scratchPositives.withUnsafeMutableBufferPointer { sp in
                            scratchNegatives.withUnsafeMutableBufferPointer { sq in
                                for k in 0..<n {
                                    // Take from the first half with probability (its remaining rows) / (all remaining).
                                    let fromFirst = b == n || (a < half && random.below(n - k) < half - a)
                                    let source = fromFirst ? a : b
                                    su[k] = u[source]; sp[k] = p[source]; sq[k] = q[source]
                                    if fromFirst { a += 1 } else { b += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        swap(&users, &scratchUsers)
        swap(&positives, &scratchPositives)
        swap(&negatives, &scratchNegatives)
    }
}
