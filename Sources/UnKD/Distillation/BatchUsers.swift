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
