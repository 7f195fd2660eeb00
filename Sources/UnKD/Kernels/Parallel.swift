import Foundation

/// Work split over the machine's cores: the index range is cut into one contiguous chunk per core.
///
/// Used only where chunks touch disjoint memory (rows of a table, blocks of users), so no locking is needed.
public enum Parallel {
    /// Number of worker chunks (the active processor count, at least 1).
    public static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, concurrently when worthwhile.
    public static func forEachChunk(_ count: Int, minimumChunk: Int = 256, _ body: (Range<Int>) -> Void) {
        let chunks = min(workers, max(1, count / max(1, minimumChunk)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let start = count * c / chunks, end = count * (c + 1) / chunks
            body(start..<end)
        }
    }
}
