import Foundation

/// The teacher's ranking of each user's candidate items within each item group: the soft labels that UnKD distils.
///
/// For user u and group g the candidates are the group's items that u has not interacted with in training; they are
/// ordered by the teacher's score, best first, and only the first `cap` are kept. Ranks are computed once, from a
/// frozen teacher; only the pairs drawn from them change between epochs.
public struct TeacherRanking: Sendable {
    /// Number of users.
    public let userCount: Int
    /// Number of groups.
    public let groupCount: Int
    /// `start[u * groupCount + g] ..< start[u * groupCount + g + 1]` indexes the list of (u, g) in `items`.
    public let start: [Int]
    /// All lists, one after another, each best first.
    public let items: [Int32]

    /// The list of user u in group g, best first.
    public func list(user: Int, group: Int) -> ArraySlice<Int32> {
        let k = user * groupCount + group
        return items[start[k]..<start[k + 1]]
    }

    /// Ranks every user's candidates in every group by the teacher's scores.
    ///
    /// - Parameters:
    ///   - teacher: the teacher's scored embeddings (users then items).
    ///   - userCount: the number of users (item rows follow the user rows).
    ///   - train: the training interactions, never candidates.
    ///   - groups: the item groups; items in no group are never candidates.
    ///   - cap: the longest list kept per user and group (the official code keeps 1000).
    ///   - blockSize: users scored per BLAS product.
    /// - Complexity: one BLAS product per block of users, then per user and group a selection of the `cap` best
    ///   candidates and a sort of those: O(U * I * d) + O(U * (I + K * cap log cap)).
    public init(teacher: EmbeddingTable, userCount: Int, train: InteractionMatrix, groups: PopularityGroups, cap: Int = 1000,
                blockSize: Int = 256) {
        let itemCount = train.itemCount, k = groups.count
        var perUser = [[[Int32]]](repeating: [], count: userCount)
        var scores = [Float](repeating: 0, count: blockSize * itemCount)
        teacher.values.withUnsafeBufferPointer { table in
            var first = 0
            while first < userCount {
                let size = min(blockSize, userCount - first)
                scores.withUnsafeMutableBufferPointer { block in
                    BlockScoring.scores(users: table.baseAddress!, firstUser: first, blockSize: size,
                                        items: table.baseAddress!, firstItem: userCount, itemCount: itemCount,
                                        stride: teacher.stride, into: block.baseAddress!)
                    let block = UnsafePointer(block.baseAddress!)
                    let blockFirst = first
                    perUser.withUnsafeMutableBufferPointer { out in
                        Parallel.forEachChunk(size, minimumChunk: 16) { range in
                            var candidates: [(Float, Int32)] = []
                            for b in range {
                                let user = blockFirst + b, row = block + b * itemCount
                                var lists: [[Int32]] = []
                                for members in groups.groups {
                                    candidates.removeAll(keepingCapacity: true)
                                    for item in members where !train.contains(user: user, item: item) {
                                        candidates.append((row[Int(item)], item))
                                    }
                                    lists.append(Self.best(&candidates, count: cap))
                                }
                                out[user] = lists
                            }
                        }
                    }
                }
                first += size
            }
        }
        var start = [0], items: [Int32] = []
        for user in 0..<userCount {
            for g in 0..<k {
                items.append(contentsOf: perUser[user][g])
                start.append(items.count)
            }
        }
        self.userCount = userCount
        self.groupCount = k
        self.start = start
        self.items = items
    }

    /// The `count` best (score descending, then item id ascending) of `candidates`, best first.
    static func best(_ candidates: inout [(Float, Int32)], count: Int) -> [Int32] {
        let better: ((Float, Int32), (Float, Int32)) -> Bool = { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        if candidates.count > 2 * count {
            // Quickselect the `count` best to the front, then sort only those.
            var low = 0, high = candidates.count - 1
            while low < high {
                let pivot = candidates[(low + high) / 2]
                var i = low, j = high
                while i <= j {
                    while better(candidates[i], pivot) { i += 1 }
                    while better(pivot, candidates[j]) { j -= 1 }
                    if i <= j { candidates.swapAt(i, j); i += 1; j -= 1 }
                }
                if count - 1 <= j { high = j } else if count - 1 >= i { low = i } else { break }
            }
            return candidates[0..<count].sorted(by: better).map(\.1)
        }
        return candidates.sorted(by: better).prefix(count).map(\.1)
    }
}
