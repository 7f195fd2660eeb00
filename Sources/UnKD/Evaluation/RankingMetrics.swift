import Foundation

/// Recall and NDCG of one ranked list against a user's held-out items, exactly as the official code computes them.
///
/// Recall@N divides the hits in the first N positions by |T_u| (not by min(N, |T_u|)); NDCG@N divides the discounted
/// gain of the hits by the ideal gain of min(N, |T_u|) hits. Both are then averaged over the evaluated users.
public enum RankingMetrics {
    /// Hits of `ranked[0..<n]` in the sorted `relevant` list.
    public static func hits(_ ranked: ArraySlice<Int32>, relevant: ArraySlice<Int32>, n: Int) -> Int {
        ranked.prefix(n).reduce(0) { $0 + (contains(relevant, $1) ? 1 : 0) }
    }

    /// |ranked[0..<n] ∩ T| / |T|; 0 when T is empty.
    public static func recall(_ ranked: ArraySlice<Int32>, relevant: ArraySlice<Int32>, n: Int) -> Double {
        relevant.isEmpty ? 0 : Double(hits(ranked, relevant: relevant, n: n)) / Double(relevant.count)
    }

    /// DCG / IDCG with gain 1 / log2(position + 1), positions from 1; 0 when T is empty.
    public static func ndcg(_ ranked: ArraySlice<Int32>, relevant: ArraySlice<Int32>, n: Int) -> Double {
        guard !relevant.isEmpty else { return 0 }
        var dcg = 0.0
        for (p, item) in ranked.prefix(n).enumerated() where contains(relevant, item) { dcg += 1 / log2(Double(p) + 2) }
        var idcg = 0.0
        for p in 0..<min(n, relevant.count) { idcg += 1 / log2(Double(p) + 2) }
        return dcg / idcg
    }

    /// Membership in a sorted list by binary search.
    @inlinable
    public static func contains(_ sorted: ArraySlice<Int32>, _ item: Int32) -> Bool {
        var low = sorted.startIndex, high = sorted.endIndex
        while low < high {
            let mid = (low + high) >> 1
            if sorted[mid] < item { low = mid + 1 } else { high = mid }
        }
        return low < sorted.endIndex && sorted[low] == item
    }

    /// The Gini index of non-negative counts: 0 when every item is recommended equally often, near 1 when a few items
    /// take all the exposure.
    public static func gini(_ counts: [Int]) -> Double {
        let sorted = counts.sorted()
        let n = Double(sorted.count), total = Double(sorted.reduce(0, +))
        guard n > 0, total > 0 else { return 0 }
        var weighted = 0.0
        for (k, c) in sorted.enumerated() { weighted += Double(k + 1) * Double(c) }
        return (2 * weighted) / (n * total) - (n + 1) / n
    }
}
