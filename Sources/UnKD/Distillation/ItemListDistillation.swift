/// What RD and CD share: each user has a fixed list of distillation items chosen from the teacher's scores of the items
/// the user has not trained on, and every batch row adds a pointwise loss of the student's scores of its user's list.
///
/// The methods differ only in how the list is chosen and in the loss of a list; the teacher's score rows and the
/// evaluation of the loss with its gradient are here.
enum ItemListDistillation {
    /// Calls `body(user, scores)` for every user, where `scores[i]` is the teacher's score of item i over the whole
    /// catalogue (training positives included: excluding them is part of choosing the candidates).
    ///
    /// The full score matrix does not fit in memory for a large catalogue, so it is made a block of users at a time by
    /// one BLAS product; the users of a block are handed to `body` concurrently, which must therefore write only to
    /// that user's own slots.
    static func forEachUser(teacher: EmbeddingTable, userCount: Int, itemCount: Int, blockSize: Int = 256,
                            _ body: (_ user: Int, _ scores: UnsafePointer<Float>) -> Void) {
        guard userCount > 0, itemCount > 0 else { return }
        var block = [Float](repeating: 0, count: min(blockSize, userCount) * itemCount)
        teacher.values.withUnsafeBufferPointer { table in
            block.withUnsafeMutableBufferPointer { block in
                let scores = block.baseAddress!
                var first = 0
                while first < userCount {
                    let size = min(blockSize, userCount - first)
                    BlockScoring.scores(users: table.baseAddress!, firstUser: first, blockSize: size,
                                        items: table.baseAddress!, firstItem: userCount, itemCount: itemCount,
                                        stride: teacher.stride, into: scores)
                    let blockFirst = first
                    Parallel.forEachChunk(size, minimumChunk: 16) { range in
                        for b in range { body(blockFirst + b, scores + b * itemCount) }
                    }
                    first += size
                }
            }
        }
    }

    /// The mean over the batch rows of the loss of each row's user list; adds `weight` x its gradient with respect to
    /// the student's scored embeddings into `gradient`, appends the touched rows, and returns the unweighted loss.
    /// Each distinct user's list is evaluated once (`PerUserDistillation`).
    ///
    /// - Parameters:
    ///   - listStart: user u's list is `items[listStart[u] ..< listStart[u + 1]]`.
    ///   - lossOfList: given a user and the student's scores of that user's list, returns the user's loss and
    ///     overwrites each score with the derivative of that loss with respect to it. Called concurrently for
    ///     different users.
    static func accumulate(_ users: ArraySlice<Int32>, listStart: [Int], items: [Int32],
                           final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, stride: Int,
                           userCount: Int, itemCount: Int, weight: Float, workspace: PerUserWorkspace,
                           touched: inout [Int32],
                           lossOfList: (_ user: Int, _ scores: UnsafeMutableBufferPointer<Float>) -> Float) -> Float {
        items.withUnsafeBufferPointer { item in
            PerUserDistillation.accumulate(
                users, listStart: listStart, entryItems: [items], userCount: userCount, itemCount: itemCount,
                itemGradient: gradient + userCount * stride, stride: stride, workPerEntry: 3 * stride,
                workspace: workspace, touched: &touched
            ) { u, first, count, share, c, itemGradient in
                let eu = final + u * stride, itemRows = final + userCount * stride, list = item.baseAddress! + first
                let scores = UnsafeMutableBufferPointer(start: c, count: count)
                ListKernels.scores(eu, count: count, plus: list, minus: nil, rows: itemRows, stride: stride, into: c)
                let userLoss = lossOfList(u, scores)
                for p in 0..<count { scores[p] *= share * weight }
                ListKernels.backward(eu, c, count: count, plus: list, minus: nil, rows: itemRows, stride: stride,
                                     userGradient: gradient + u * stride, itemGradient: itemGradient)
                return userLoss * share
            }
        }
    }
}
