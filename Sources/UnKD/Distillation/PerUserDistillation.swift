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

    /// Groups the users of the batch's rows.
    init(_ batchUsers: ArraySlice<Int32>) {
        var slot = [Int32: Int](minimumCapacity: batchUsers.count)
        for user in batchUsers {
            if let k = slot[user] { rows[k] += 1 } else {
                slot[user] = users.count
                users.append(user)
                rows.append(1)
            }
        }
    }

    /// Where each distinct user's entries begin in one flat array, for per-user lists bounded by `listStart`
    /// (user u's list is `listStart[u] ..< listStart[u + 1]`); the last element is the total.
    func offsets(_ listStart: [Int]) -> [Int] {
        var offset = [Int](repeating: 0, count: users.count + 1)
        for (k, user) in users.enumerated() { offset[k + 1] = offset[k] + listStart[Int(user) + 1] - listStart[Int(user)] }
        return offset
    }
}

/// The shape every per-user distillation loss of a batch shares (UnKD's pairs, RD's and CD's item lists): each user
/// owns a fixed list of entries, each batch row adds its user's loss, and the loss is the mean over the rows.
///
/// Each distinct user is evaluated once, weighted by their number of rows (see `BatchUsers`), in two phases as in
/// `BPRObjective`:
/// 1. per user, the loss and one coefficient per entry (the loss's derivative with respect to the entry's score,
///    times the user's share of the rows and the term's weight), parallel over users;
/// 2. the scatter of coefficient x embedding into the gradient, with the user rows and the item rows (disjoint) on
///    different cores.
/// The methods supply the two per-user steps; the bookkeeping (distinct users, flat offsets, the split over cores, the
/// touched rows) is here.
enum PerUserDistillation {
    /// Returns the loss summed over the distinct users (each user's part already weighted by its share of the rows),
    /// and appends the touched rows: each distinct user, then per entry its items from `entryItems`.
    ///
    /// - Parameters:
    ///   - listStart: user u's entries are `listStart[u] ..< listStart[u + 1]`.
    ///   - entryItems: the item ids each entry touches, one array per item of an entry (a pair has two, a list item one).
    ///   - workPerEntry: floats of work per entry, to decide whether the phases are worth both cores.
    ///   - userLoss: `(user, first, count, share, c)` returns user u's loss times `share` (its rows / all rows) and
    ///     writes the coefficients of entries `first ..< first + count` into `c[0 ..< count]`. Called concurrently
    ///     for different users.
    ///   - scatter: `(user, first, count, c, toUser, toItems)` adds the user's terms into the user's gradient row
    ///     when `toUser` and into the items' rows when `toItems`. Called concurrently with disjoint flags.
    static func accumulate(_ users: ArraySlice<Int32>, listStart: [Int], entryItems: [[Int32]], userCount: Int,
                           workPerEntry: Int, touched: inout [Int32],
                           userLoss: (_ user: Int, _ first: Int, _ count: Int, _ share: Float,
                                      _ c: UnsafeMutablePointer<Float>) -> Float,
                           scatter: (_ user: Int, _ first: Int, _ count: Int, _ c: UnsafePointer<Float>,
                                     _ toUser: Bool, _ toItems: Bool) -> Void) -> Float {
        let rows = users.count
        guard rows > 0 else { return 0 }
        let batchUsers = BatchUsers(users)
        let distinct = batchUsers.users, multiplicity = batchUsers.rows
        let offset = batchUsers.offsets(listStart)
        let entryCount = offset[distinct.count]
        guard entryCount > 0 else { return 0 }
        var coefficient = [Float](repeating: 0, count: entryCount)
        let chunks = Parallel.chunks(forWork: workPerEntry * entryCount)
        var lossParts = [Float](repeating: 0, count: chunks)
        let rowScale = 1 / Float(rows)
        listStart.withUnsafeBufferPointer { start in
        coefficient.withUnsafeMutableBufferPointer { c in
            let c = c.baseAddress!
            lossParts.withUnsafeMutableBufferPointer { lossPart in
                Parallel.run(chunks: chunks) { chunk in
                    var loss: Float = 0
                    for k in (distinct.count * chunk / chunks)..<(distinct.count * (chunk + 1) / chunks) {
                        let u = Int(distinct[k])
                        let first = start[u], count = start[u + 1] - first
                        guard count > 0 else { continue }
                        loss += userLoss(u, first, count, rowScale * multiplicity[k], c + offset[k])
                    }
                    lossPart[chunk] = loss
                }
            }
            let sides = chunks > 1 ? [0, 1] : [-1]
            Parallel.run(chunks: sides.count) { task in
                let side = sides[task]
                for k in 0..<distinct.count {
                    let u = Int(distinct[k])
                    scatter(u, start[u], start[u + 1] - start[u], c + offset[k], side <= 0, side != 0)
                }
            }
        }
        }
        let first = touched.count
        touched.append(contentsOf: repeatElement(0, count: distinct.count + entryItems.count * entryCount))
        touched.withUnsafeMutableBufferPointer { out in
            var k = first
            for user in distinct {
                let u = Int(user)
                out[k] = user; k += 1
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
