/// The distinct users of a batch and how many rows each owns.
///
/// Per-user distillation terms are looked up per BPR row in the official code, so a user with several rows in a
/// batch contributes several identical terms; computing each distinct user's term once and weighting it by the
/// user's row count gives the same loss and gradient for less work.
struct BatchUsers {
    /// Distinct users, in order of first appearance.
    var users: [Int32] = []
    /// Rows of the batch owned by each distinct user.
    var rows: [Float] = []

    /// Groups the users of the batch's rows, using `slots` (one per user, all -1 on entry and again on return) to find
    /// a user's place without hashing.
    init(_ batchUsers: ArraySlice<Int32>, slots: UnsafeMutablePointer<Int32>) {
        users.reserveCapacity(batchUsers.count)
        rows.reserveCapacity(batchUsers.count)
        for user in batchUsers {
            let k = Int(slots[Int(user)])
            if k >= 0 { rows[k] += 1 } else {
                slots[Int(user)] = Int32(users.count)
                users.append(user)
                rows.append(1)
            }
        }
        for user in users { slots[Int(user)] = -1 }
    }

    /// Where each distinct user's entries begin in one flat array, for per-user lists bounded by `listStart`
    /// (user u's list is `listStart[u] ..< listStart[u + 1]`); the last element is the total.
    func offsets(_ listStart: [Int]) -> [Int] {
        var offset = [Int](repeating: 0, count: users.count + 1)
        for (k, user) in users.enumerated() { offset[k + 1] = offset[k] + listStart[Int(user) + 1] - listStart[Int(user)] }
        return offset
    }
}

/// The memory `PerUserDistillation` reuses from step to step: a slot per user for grouping a batch's rows, the
/// entries' coefficients, and an item-gradient table for the second half of the users, so that both halves scatter
/// into item rows at once.
///
/// A distiller owns one and passes it to every step; it must not be shared by steps running at the same time.
public final class PerUserWorkspace {
    private var slots: [Int32] = []
    private var coefficients: [Float] = []
    private var itemGradient: [Float] = []

    /// An empty workspace; it grows to the sizes the first step needs.
    public init() {}

    /// Calls `body` with the user slots (all -1) and the second half's item-gradient table (all zero), sized for
    /// `userCount` users and `floats` floats; `body` must leave both as it found them.
    func with<R>(userCount: Int, floats: Int,
                 _ body: (_ slots: UnsafeMutablePointer<Int32>, _ itemGradient: UnsafeMutablePointer<Float>) -> R) -> R {
        if slots.count < userCount { slots = [Int32](repeating: -1, count: userCount) }
        if itemGradient.count < floats { itemGradient = [Float](repeating: 0, count: floats) }
        return slots.withUnsafeMutableBufferPointer { s in
            itemGradient.withUnsafeMutableBufferPointer { g in body(s.baseAddress!, g.baseAddress!) }
        }
    }

    /// Calls `body` with room for `count` coefficients (holding any values).
    func withCoefficients<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        if coefficients.count < count { coefficients = [Float](repeating: 0, count: count) }
        return coefficients.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

/// The shape every per-user distillation loss of a batch shares (UnKD's pairs, RD's and CD's item lists): each user
/// owns a fixed list of entries, each batch row adds its user's loss, and the loss is the mean over the rows.
///
/// Each distinct user is evaluated once, weighted by their number of rows (see `BatchUsers`): the loss, one
/// coefficient per entry (the loss's derivative with respect to the entry's score, times the user's share of the rows
/// and the term's weight), the user's own gradient row, and coefficient x user row into each entry's item rows. The
/// users are cut into two halves that run at once; item rows are shared between users, so the second half scatters
/// into a table of its own (in `PerUserWorkspace`) that is added to the gradient afterwards. The halves do not depend
/// on the number of cores, so neither do the results.
/// The methods supply the per-user steps; the bookkeeping (distinct users, flat offsets, the halves, the touched rows)
/// is here. (Public so that `bench` can run a hand-written per-user step through the same bookkeeping.)
public enum PerUserDistillation {
    /// Returns the loss summed over the distinct users (each user's part already weighted by its share of the rows),
    /// and appends the touched rows: each distinct user, then per entry its items from `entryItems` (or every item row,
    /// when that list would be longer).
    ///
    /// - Parameters:
    ///   - users: the batch's rows' users (a user may repeat).
    ///   - listStart: user u's entries are `listStart[u] ..< listStart[u + 1]`.
    ///   - entryItems: the item ids each entry touches, one array per item of an entry (a pair has two, a list item one).
    ///   - workPerEntry: floats of work per entry, to decide whether the batch is worth two halves.
    ///   - userCount: the number of users (item rows follow the user rows).
    ///   - itemCount: the number of items.
    ///   - itemGradient: the gradient's item rows (item i's row at `itemGradient + i * stride`).
    ///   - stride: floats per row.
    ///   - workspace: the second half's private item gradient and scratch space, kept between calls.
    ///   - touched: receives the rows that got a gradient.
    ///   - userLoss: `(user, first, count, share, c, itemGradient)` returns user u's loss times `share` (its rows / all
    ///     rows), writes the coefficients of entries `first ..< first + count` into `c[0 ..< count]`, adds their terms
    ///     into the user's gradient row, and coefficient x user row into the items' rows of the `itemGradient` it is
    ///     given. Called concurrently for users of the two halves.
    public static func accumulate(_ users: ArraySlice<Int32>, listStart: [Int], entryItems: [[Int32]], userCount: Int,
                                  itemCount: Int, itemGradient: UnsafeMutablePointer<Float>, stride: Int,
                                  workPerEntry: Int, workspace: PerUserWorkspace, touched: inout [Int32],
                                  userLoss: (_ user: Int, _ first: Int, _ count: Int, _ share: Float,
                                             _ c: UnsafeMutablePointer<Float>,
                                             _ itemGradient: UnsafeMutablePointer<Float>) -> Float)
        -> Float {
        let rows = users.count
        guard rows > 0 else { return 0 }
        let floats = itemCount * stride
        return workspace.with(userCount: userCount, floats: floats) { slots, ownItemGradient in
        let batchUsers = BatchUsers(users, slots: slots)
        let distinct = batchUsers.users, multiplicity = batchUsers.rows
        let offset = batchUsers.offsets(listStart)
        let entryCount = offset[distinct.count]
        guard entryCount > 0 else { return 0 }
        let halves = workPerEntry * entryCount >= Parallel.minimumParallelWork ? 2 : 1
        var lossParts = [Float](repeating: 0, count: halves)
        let rowScale = 1 / Float(rows)
        // Every coefficient is written by its user before it is read.
        workspace.withCoefficients(entryCount) { c in
        listStart.withUnsafeBufferPointer { start in
            lossParts.withUnsafeMutableBufferPointer { lossPart in
                Parallel.run(chunks: halves) { half in
                    let target = half == 0 ? itemGradient : ownItemGradient
                    var loss: Float = 0
                    for k in (distinct.count * half / halves)..<(distinct.count * (half + 1) / halves) {
                        let u = Int(distinct[k])
                        let first = start[u], count = start[u + 1] - first
                        guard count > 0 else { continue }
                        loss += userLoss(u, first, count, rowScale * multiplicity[k], c + offset[k], target)
                    }
                    lossPart[half] = loss
                }
            }
            if halves == 2 {
                Parallel.run(chunks: halves) { half in
                    let range = (floats / 8 * half / 2 * 8)..<(floats / 8 * (half + 1) / 2 * 8)
                    VectorKernels.addAndClear(ownItemGradient + range.lowerBound, into: itemGradient + range.lowerBound,
                                              count: range.count)
                }
            }
        }
        }
        let first = touched.count
        let listed = entryItems.count * entryCount
        touched.append(contentsOf: repeatElement(0, count: distinct.count + min(listed, itemCount)))
        touched.withUnsafeMutableBufferPointer { out in
            var k = first
            for user in distinct { out[k] = user; k += 1 }
            if listed >= itemCount {
                for i in 0..<itemCount { out[k] = Int32(userCount + i); k += 1 }
                return
            }
            for user in distinct {
                let u = Int(user)
                for p in listStart[u]..<listStart[u + 1] {
                    for items in entryItems {
                        out[k] = Int32(userCount) + items[p]
                        k += 1
                    }
                }
            }
        }
        return lossParts.reduce(0, +)
        }
    }
}
