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
    ///
    /// A user who owns several rows has the same list in each, so each distinct user is evaluated once and weighted by
    /// their number of rows: the official per-row loss, computed once. Two phases as in `PairwiseDistillation`: the
    /// scores and their loss derivatives, parallel over users; then the scatter, with user rows and item rows (which
    /// are disjoint) on different cores.
    ///
    /// - Parameters:
    ///   - listStart: user u's list is `items[listStart[u] ..< listStart[u + 1]]`.
    ///   - lossOfList: given a user and the student's scores of that user's list, returns the user's loss and
    ///     overwrites each score with the derivative of that loss with respect to it. Called concurrently for
    ///     different users.
    static func accumulate(_ users: ArraySlice<Int32>, listStart: [Int], items: [Int32],
                           final: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, stride: Int,
                           userCount: Int, weight: Float, touched: inout [Int32],
                           lossOfList: (_ user: Int, _ scores: UnsafeMutableBufferPointer<Float>) -> Float) -> Float {
        let rows = users.count
        guard rows > 0 else { return 0 }
        let batchUsers = BatchUsers(users)
        let distinct = batchUsers.users, multiplicity = batchUsers.rows
        let offset = batchUsers.offsets(listStart)
        let entryCount = offset[distinct.count]
        guard entryCount > 0 else { return 0 }
        var coefficient = [Float](repeating: 0, count: entryCount)
        let chunks = Parallel.chunks(forWork: 2 * entryCount * stride)
        var lossParts = [Float](repeating: 0, count: chunks)
        let rowScale = 1 / Float(rows)
        listStart.withUnsafeBufferPointer { start in
        items.withUnsafeBufferPointer { item in
        coefficient.withUnsafeMutableBufferPointer { c in
            let c = c.baseAddress!
            lossParts.withUnsafeMutableBufferPointer { lossPart in
                Parallel.run(chunks: chunks) { chunk in
                    var loss: Float = 0
                    for k in (distinct.count * chunk / chunks)..<(distinct.count * (chunk + 1) / chunks) {
                        let u = Int(distinct[k])
                        let first = start[u], count = start[u + 1] - first
                        guard count > 0 else { continue }
                        let eu = final + u * stride
                        let scores = UnsafeMutableBufferPointer(start: c + offset[k], count: count)
                        for p in 0..<count {
                            scores[p] = VectorKernels.dot(eu, final + (userCount + Int(item[first + p])) * stride, stride: stride)
                        }
                        let userLoss = lossOfList(u, scores)
                        let scale = rowScale * multiplicity[k]
                        for p in 0..<count { scores[p] *= scale * weight }
                        loss += userLoss * scale
                    }
                    lossPart[chunk] = loss
                }
            }
            let sides = chunks > 1 ? [0, 1] : [-1]
            Parallel.run(chunks: sides.count) { task in
                let side = sides[task]
                for k in 0..<distinct.count {
                    let u = Int(distinct[k])
                    let eu = final + u * stride, gu = gradient + u * stride
                    let first = start[u], count = start[u + 1] - first
                    let cu = c + offset[k]
                    if side <= 0 {
                        var p = 0
                        while p + 1 < count {
                            VectorKernels.axpy2(cu[p], final + (userCount + Int(item[first + p])) * stride,
                                                cu[p + 1], final + (userCount + Int(item[first + p + 1])) * stride,
                                                gu, stride: stride)
                            p += 2
                        }
                        if p < count {
                            VectorKernels.axpy(cu[p], final + (userCount + Int(item[first + p])) * stride, gu, stride: stride)
                        }
                    }
                    if side != 0 {
                        for p in 0..<count {
                            VectorKernels.axpy(cu[p], eu, gradient + (userCount + Int(item[first + p])) * stride, stride: stride)
                        }
                    }
                }
            }
        }
        }
        }
        let first = touched.count
        touched.append(contentsOf: repeatElement(0, count: distinct.count + entryCount))
        touched.withUnsafeMutableBufferPointer { out in
            var k = first
            for user in distinct {
                let u = Int(user)
                out[k] = user; k += 1
                for p in listStart[u]..<listStart[u + 1] {
                    out[k] = Int32(userCount) + items[p]
                    k += 1
                }
            }
        }
        return lossParts.reduce(0, +)
    }
}
