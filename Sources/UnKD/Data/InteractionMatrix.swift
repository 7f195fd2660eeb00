/// A binary user-item matrix in compressed sparse row form: for each user, the sorted ids of the items they
/// interacted with.
///
/// This is how every set of interactions in the project is held: a whole dataset, a training part, the validation
/// and test parts. Rows are sorted and free of duplicates, which makes membership a binary search and lets two
/// matrices be compared or hashed cheaply.
public struct InteractionMatrix: Sendable, Equatable, Hashable {
    /// Number of users (rows), including users whose row is empty.
    public let userCount: Int
    /// Number of items (columns), including items nobody interacted with in this part.
    public let itemCount: Int
    /// `rowStart[u] ..< rowStart[u + 1]` indexes user u's items in `columns`; `rowStart.count == userCount + 1`.
    public let rowStart: [Int]
    /// All item ids, row after row, each row sorted ascending.
    public let columns: [Int32]

    /// A matrix from one item list per user; lists may be unsorted and may repeat items (duplicates count once).
    ///
    /// - Complexity: O(n log n) in the number of interactions.
    public init(itemCount: Int, rows: [[Int32]]) {
        var rowStart = [0]
        rowStart.reserveCapacity(rows.count + 1)
        var columns: [Int32] = []
        columns.reserveCapacity(rows.reduce(0) { $0 + $1.count })
        for row in rows {
            var previous: Int32 = -1
            for item in row.sorted() where item != previous {
                precondition(item >= 0 && Int(item) < itemCount, "item \(item) outside 0..<\(itemCount)")
                columns.append(item)
                previous = item
            }
            rowStart.append(columns.count)
        }
        self.userCount = rows.count
        self.itemCount = itemCount
        self.rowStart = rowStart
        self.columns = columns
    }

    /// An empty matrix of the given shape.
    public init(userCount: Int, itemCount: Int) {
        self.init(itemCount: itemCount, rows: Array(repeating: [], count: userCount))
    }

    /// Number of stored (user, item) pairs.
    public var interactionCount: Int { columns.count }

    /// Fraction of the user x item grid that is empty, as in the paper's Table 2.
    public var sparsity: Double {
        guard userCount > 0, itemCount > 0 else { return 1 }
        return 1 - Double(interactionCount) / (Double(userCount) * Double(itemCount))
    }

    /// User u's items, sorted ascending.
    @inlinable
    public func items(of user: Int) -> ArraySlice<Int32> { columns[rowStart[user]..<rowStart[user + 1]] }

    /// Number of items of user u.
    @inlinable
    public func degree(of user: Int) -> Int { rowStart[user + 1] - rowStart[user] }

    /// Whether user u interacted with `item`. O(log degree).
    public func contains(user: Int, item: Int32) -> Bool {
        var low = rowStart[user], high = rowStart[user + 1]
        while low < high {
            let mid = (low + high) >> 1
            if columns[mid] < item { low = mid + 1 } else { high = mid }
        }
        return low < rowStart[user + 1] && columns[low] == item
    }

    /// The users with at least one item, ascending.
    public var nonEmptyUsers: [Int32] {
        (0..<userCount).filter { degree(of: $0) > 0 }.map(Int32.init)
    }

    /// How many users interacted with each item: the item popularity the paper groups by.
    public func itemPopularity() -> [Int] {
        var counts = [Int](repeating: 0, count: itemCount)
        for item in columns { counts[Int(item)] += 1 }
        return counts
    }

    /// The item-major view: row i lists the users of item i.
    public func transposed() -> InteractionMatrix {
        var rows = [[Int32]](repeating: [], count: itemCount)
        for user in 0..<userCount {
            for item in items(of: user) { rows[Int(item)].append(Int32(user)) }
        }
        return InteractionMatrix(itemCount: userCount, rows: rows)
    }

    /// The matrix holding every pair of this one and of `other` (of the same shape).
    ///
    /// - Complexity: O(n log n) in the number of interactions of both.
    public func union(_ other: InteractionMatrix) -> InteractionMatrix {
        precondition(userCount == other.userCount && itemCount == other.itemCount, "union of matrices of different shapes")
        return InteractionMatrix(itemCount: itemCount,
                                 rows: (0..<userCount).map { Array(items(of: $0)) + Array(other.items(of: $0)) })
    }

    /// The rows as arrays, for building derived matrices.
    public var rows: [[Int32]] { (0..<userCount).map { Array(items(of: $0)) } }
}
