/// Items divided into K groups of (roughly) equal total popularity, most popular group first.
///
/// This is the stratification at the heart of UnKD, and the same function gives the paper's popular/unpopular
/// evaluation groups (K = 2). Following the PD paper, the groups balance the *sum* of popularity rather than the
/// number of items, so the head group holds a few very popular items and the last group the long tail.
///
/// The greedy rule matches the official code: walk the items from most to least popular and close a group just before
/// its sum would exceed total/K; an item heavier than total/K on its own forms a group by itself; a final remainder
/// lighter than half of total/K is merged into the last group. Items with no training interaction belong to no group.
public struct PopularityGroups: Sendable, Equatable {
    /// The groups, each a list of item ids in descending popularity; `groups[0]` is the most popular.
    public let groups: [[Int32]]
    /// For each item, the index of its group, or -1 for items with zero popularity.
    public let groupOfItem: [Int32]

    /// Number of groups actually formed: K on smooth long-tailed popularity; the greedy rule can give fewer on tiny
    /// catalogues and, with a few very heavy items, more (but always fewer than 2K, since every group weighs more
    /// than half the target).
    public var count: Int { groups.count }

    /// Partitions items by `popularity` into `groupCount` groups.
    ///
    /// - Parameters:
    ///   - popularity: training interaction count of each item.
    ///   - tieOrder: for items of equal popularity, the smaller value comes first (the official code uses the order of
    ///     first appearance in the training data); nil breaks ties by item id.
    ///   - groupCount: K >= 1.
    /// - Complexity: O(n log n) in the number of items.
    public init(popularity: [Int], tieOrder: [Int]? = nil, groupCount: Int) {
        precondition(groupCount >= 1, "at least one group")
        let order = (0..<popularity.count).filter { popularity[$0] > 0 }.sorted { a, b in
            if popularity[a] != popularity[b] { return popularity[a] > popularity[b] }
            let ta = tieOrder?[a] ?? a, tb = tieOrder?[b] ?? b
            return ta != tb ? ta < tb : a < b
        }
        let target = Double(popularity.reduce(0, +)) / Double(groupCount)
        var groups: [[Int32]] = []
        var current: [Int32] = []
        var sum = 0
        for item in order {
            let c = popularity[item]
            current.append(Int32(item))
            sum += c
            if Double(sum) > target {
                if current.count == 1 {
                    groups.append(current)
                    current = []
                    sum = 0
                    continue
                }
                current.removeLast()
                groups.append(current)
                current = [Int32(item)]
                sum = c
            }
        }
        if !current.isEmpty {
            if Double(sum) > target / 2 || groups.isEmpty { groups.append(current) } else { groups[groups.count - 1] += current }
        }
        var groupOfItem = [Int32](repeating: -1, count: popularity.count)
        for (g, members) in groups.enumerated() { for item in members { groupOfItem[Int(item)] = Int32(g) } }
        self.groups = groups
        self.groupOfItem = groupOfItem
    }

    /// The groups of the training part of a split, with the official tie order (first appearance in the
    /// user-major training list).
    public init(train: InteractionMatrix, groupCount: Int) {
        var firstSeen = [Int](repeating: Int.max, count: train.itemCount)
        for (position, item) in train.columns.enumerated() where firstSeen[Int(item)] == Int.max {
            firstSeen[Int(item)] = position
        }
        self.init(popularity: train.itemPopularity(), tieOrder: firstSeen, groupCount: groupCount)
    }

    /// The paper's evaluation grouping: popular (`groups[0]`) and unpopular (`groups[1]`) items, always K = 2,
    /// whatever K a method trained with.
    public static func popularUnpopular(train: InteractionMatrix) -> PopularityGroups {
        PopularityGroups(train: train, groupCount: 2)
    }
}
