import COpenBLAS

/// Scores of a block of users against every item, by one OpenBLAS matrix product.
///
/// Full-ranking evaluation and the teachers' rankings need the whole user x item score matrix, which for a large
/// catalogue does not fit in memory; it is produced a block of users at a time into a reused buffer.
public enum BlockScoring {
    /// Writes scores[b * itemCount + i] = <users[firstUser + b], items[firstItem + i]> for b in 0..<blockSize.
    ///
    /// `users` and `items` are padded row-major tables with the same stride (the padding is zero, so it does not
    /// change the products). `firstItem`/`itemCount` select the item rows, e.g. the item part of a joint table.
    public static func scores(users: UnsafePointer<Float>, firstUser: Int, blockSize: Int,
                              items: UnsafePointer<Float>, firstItem: Int, itemCount: Int, stride: Int,
                              into scores: UnsafeMutablePointer<Float>) {
        guard blockSize > 0, itemCount > 0 else { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                    Int32(blockSize), Int32(itemCount), Int32(stride),
                    1, users + firstUser * stride, Int32(stride),
                    items + firstItem * stride, Int32(stride),
                    0, scores, Int32(itemCount))
    }

    /// Runs `body` with OpenBLAS on a single thread, then restores its thread count.
    ///
    /// For the many small products of the distillation networks: OpenBLAS's helper threads spin while they wait for
    /// work, so on two cores they take the second core from the project's own parallel loops and gain little on
    /// matrices this small. Call it from one thread at a time (the trainer's), never from inside a parallel region.
    public static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        let threads = openblas_get_num_threads()
        guard threads > 1 else { return try body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(threads) }
        return try body()
    }
}

/// Top-N selection over one row of scores.
public enum TopN {
    /// The `n` best items of `scores[0..<count]`, best first, skipping the sorted item ids in `excluded`.
    ///
    /// Ties are broken by the smaller item id, so results do not depend on the order of evaluation.
    /// - Complexity: O(count + n * (number of items entering the list)), in practice O(count) for n << count.
    @inlinable
    public static func select(_ scores: UnsafePointer<Float>, count: Int, n: Int,
                              excluding excluded: ArraySlice<Int32>, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        guard n > 0 else { return }
        var bestScores = [Float](repeating: -.infinity, count: n)
        var bestItems = [Int32](repeating: Int32.max, count: n)
        var filled = 0
        var nextExcluded = excluded.startIndex
        for i in 0..<count {
            if nextExcluded < excluded.endIndex && excluded[nextExcluded] == Int32(i) {
                nextExcluded += 1
                continue
            }
            let s = scores[i]
            if filled == n && !(s > bestScores[n - 1]) { continue }  // equal scores keep the earlier (smaller) id
            // Insert keeping (score descending, id ascending); ids arrive ascending, so ties go after equals.
            var p = filled == n ? n - 1 : filled
            while p > 0 && s > bestScores[p - 1] {
                bestScores[p] = bestScores[p - 1]
                bestItems[p] = bestItems[p - 1]
                p -= 1
            }
            bestScores[p] = s
            bestItems[p] = Int32(i)
            if filled < n { filled += 1 }
        }
        out.append(contentsOf: bestItems[0..<filled])
    }
}
